// CALLS {source: 'env'} from the service in front of a workload (or bare pod) to each service its containers'
// environment names (env_service_keys). Pods of a controller are covered by their controller's template.
MATCH (w:Resource {cluster: $cluster})
WHERE w.deleted_at IS NULL AND size(coalesce(w.env_service_keys, [])) > 0
  AND (NOT w:Pod OR w.owner_kind = '')
MATCH (s:Resource {namespace: w.namespace})
WHERE s:Service AND s.cluster = $cluster AND s.deleted_at IS NULL AND size(s.selector) > 0
  AND all(l IN s.selector WHERE l IN w.template_labels)
UNWIND w.env_service_keys AS target_key
MATCH (t:Service {key: target_key})
WHERE t.deleted_at IS NULL AND t.uid <> s.uid
// Its own edge, beside any {source: 'traffic'} one, so that a relink never touches what traffic showed.
MERGE (s)-[r:CALLS {source: 'env'}]->(t)
ON CREATE SET r.first_seen = $now, r.count = 0
SET r.last_seen = $now
RETURN count(DISTINCT r) AS linked
