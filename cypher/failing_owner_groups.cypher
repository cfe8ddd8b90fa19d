// What is failing now: pods not ready (or Failed/Pending/Unknown) and pods with recent warning events,
// each with its top-level owner; grouped by owner in Python.
MATCH (p:Pod)
WHERE p.deleted_at IS NULL AND ($cluster IS NULL OR p.cluster = $cluster)
  AND coalesce(p.phase, '') <> 'Succeeded'
  AND (p.ready = false OR p.phase IN ['Failed', 'Pending', 'Unknown'])
OPTIONAL MATCH (p)-[:OWNED_BY*1..2]->(w:Resource)
OPTIONAL MATCH (w)-[up:OWNED_BY]->()
WITH p, w, up
WHERE up IS NULL
RETURN coalesce(w.uid, p.uid) AS owner_uid, coalesce(w.kind, 'Pod') AS owner_kind,
       coalesce(w.namespace, p.namespace) AS namespace, coalesce(w.name, p.name) AS owner_name,
       w.replicas AS replicas, p.name AS pod, coalesce(p.phase, '') AS reason, 0 AS ts, '' AS event_id,
       p.cluster AS cluster
UNION ALL
MATCH (e:Event)-[:ABOUT]->(p:Pod)
WHERE e.ts >= $since AND e.severity_rank >= 4 AND ($cluster IS NULL OR p.cluster = $cluster)
OPTIONAL MATCH (p)-[:OWNED_BY*1..2]->(w:Resource)
OPTIONAL MATCH (w)-[up:OWNED_BY]->()
WITH p, w, up, e
WHERE up IS NULL
RETURN coalesce(w.uid, p.uid) AS owner_uid, coalesce(w.kind, 'Pod') AS owner_kind,
       coalesce(w.namespace, p.namespace) AS namespace, coalesce(w.name, p.name) AS owner_name,
       w.replicas AS replicas, p.name AS pod, e.reason AS reason, e.ts AS ts, e.id AS event_id,
       p.cluster AS cluster
