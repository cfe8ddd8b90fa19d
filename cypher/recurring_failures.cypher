// The recurring failures of a workload: its pods' (and its own) warning events since $since, by reason.
MATCH (w:Resource {key: $key})
OPTIONAL MATCH (p:Resource)-[:OWNED_BY*1..2]->(w)
WITH w, collect(DISTINCT p) + [w] AS members
UNWIND members AS x
MATCH (e:Event)-[:ABOUT]->(x)
WITH e
WHERE e.ts >= $since AND e.severity_rank >= 4
WITH e.reason AS reason, e.ts AS ts, e.id AS id
ORDER BY ts, id
RETURN reason, collect(ts) AS times, collect(id) AS ids
