// The events $ids with what the ranking needs (ranked in correlate.rootcause with the links of related_events).
UNWIND $ids AS i
MATCH (e:Event {id: i})
OPTIONAL MATCH (e)-[:ABOUT]->(r:Resource)
RETURN e.id AS id, e.ts AS ts, e.reason AS reason, coalesce(e.category, '') AS category,
       coalesce(e.severity_rank, 1) AS severity_rank, coalesce(e.source_kind, '') AS source_kind,
       coalesce(e.trace_id, '') AS trace_id, coalesce(e.message, '') AS message,
       coalesce(r.uid, '') AS uid, coalesce(r.cluster, e.cluster, '') AS cluster, coalesce(r.kind, '') AS kind,
       coalesce(r.namespace, '') AS namespace, coalesce(r.name, '') AS name
