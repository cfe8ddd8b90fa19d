// The root events of correlations first seen since $since, oldest first: a restarted correlator rebuilds the
// history of occurrences that recurring failures are recognised by.
MATCH (c:Correlation)-[:ROOT_CAUSE]->(e:Event)
WHERE c.first_seen >= $since
OPTIONAL MATCH (e)-[:ABOUT]->(r:Resource)
RETURN c.id AS correlation_id, e.id AS id, e.ts AS ts, e.reason AS reason, coalesce(e.category, '') AS category,
       coalesce(e.severity_rank, 1) AS severity_rank, coalesce(e.source_kind, '') AS source_kind,
       coalesce(r.uid, '') AS uid
ORDER BY e.ts, c.id
LIMIT $limit
