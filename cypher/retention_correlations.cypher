// Resolved correlations last seen before $before leave the graph with their feedback, at most $limit a run.
MATCH (c:Correlation)
WHERE c.state = 'resolved' AND c.last_seen < $before
WITH c LIMIT $limit
OPTIONAL MATCH (f:Feedback)-[:FEEDBACK_ON]->(c)
DETACH DELETE f, c
RETURN count(DISTINCT c) AS removed
