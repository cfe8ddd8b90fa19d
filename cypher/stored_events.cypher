// Stored events by id, as the pipeline handed them over: what another worker stored, for the correlation leader.
MATCH (e:Event)
WHERE e.id IN $ids
OPTIONAL MATCH (e)-[:ABOUT]->(r:Resource)
WITH e, r
ORDER BY e.ts, e.id
RETURN e.id AS id, e.ts AS ts, coalesce(e.last_ts, e.ts) AS last_ts, e.reason AS reason,
       coalesce(e.category, '') AS category, coalesce(e.severity, 'warning') AS severity,
       coalesce(e.source_kind, '') AS source_kind, coalesce(e.type, '') AS type, coalesce(e.message, '') AS message,
       coalesce(e.trace_id, '') AS trace_id, coalesce(e.count, 1) AS count, e.detail AS detail,
       coalesce(r.uid, '') AS uid, coalesce(r.cluster, e.cluster, '') AS cluster, coalesce(r.kind, '') AS kind,
       coalesce(r.namespace, '') AS namespace, coalesce(r.name, '') AS name, coalesce(e.target_uid, '') AS target_uid
