// Events last seen before $before leave the graph, at most $limit a run.
MATCH (e:Event)
WHERE coalesce(e.last_ts, e.ts) < $before
WITH e LIMIT $limit
DETACH DELETE e
RETURN count(*) AS removed
