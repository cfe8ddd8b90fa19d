// Which service owns cluster IP $ip in $cluster (the live one; else the one deleted last).
MATCH (s:Resource {cluster_ip: $ip})
WHERE s:Service AND s.cluster = $cluster
RETURN s.uid AS uid, s.key AS key, s.namespace AS namespace, s.name AS name, s.ports AS ports,
       s.deleted_at AS deleted_at
ORDER BY coalesce(s.deleted_at, 9223372036854775807) DESC, s.uid
LIMIT 1
