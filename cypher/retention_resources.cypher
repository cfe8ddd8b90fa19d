// Objects marked deleted before $before leave the graph, at most $limit a run (their history is past retention).
MATCH (n:Resource)
WHERE n.deleted_at IS NOT NULL AND n.deleted_at < $before
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS removed
