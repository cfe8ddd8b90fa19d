// The member events of the correlations $ids, with what the engine needs to take them up again: the event, the
// resource it is about, what it was calling, and how it joined (by which link, through which member).
UNWIND $ids AS cid
MATCH (c:Correlation {id: cid})-[i:INCLUDES]->(e:Event)
OPTIONAL MATCH (e)-[:ABOUT]->(r:Resource)
RETURN cid AS correlation_id, e.id AS id, e.ts AS ts, coalesce(e.last_ts, e.ts) AS last_ts, e.reason AS reason,
       coalesce(e.category, '') AS category, coalesce(e.severity_rank, 1) AS severity_rank,
       coalesce(e.source_kind, '') AS source_kind, coalesce(e.type, '') AS type, coalesce(e.message, '') AS message,
       coalesce(e.trace_id, '') AS trace_id, coalesce(e.count, 1) AS count, e.detail AS detail,
       coalesce(r.uid, '') AS uid, coalesce(e.target_uid, '') AS target_uid,
       coalesce(i.link, 'root') AS link, coalesce(i.weight, 1.0) AS weight, coalesce(i.via, '') AS via
ORDER BY cid, e.ts, e.id
