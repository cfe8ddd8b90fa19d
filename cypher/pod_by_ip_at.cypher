// Which pod had IP $ip at time $ts (epoch ms) in $cluster: pod IPs are reused after a pod dies, so the pod whose
// IP was assigned at or before $ts and that was not yet deleted; hostNetwork pods share their node's IP and are left out.
MATCH (p:Resource {ip: $ip})
WHERE p:Pod AND p.cluster = $cluster AND p.ip_since <= $ts
  AND (p.deleted_at IS NULL OR p.deleted_at >= $ts) AND coalesce(p.host_network, false) = false
RETURN p.uid AS uid, p.key AS key, p.namespace AS namespace, p.name AS name, p.node_name AS node_name,
       p.owner_kind AS owner_kind, p.owner_name AS owner_name, p.ip_since AS ip_since, p.deleted_at AS deleted_at
ORDER BY p.ip_since DESC, p.uid
LIMIT 1
