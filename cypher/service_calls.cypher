// Every CALLS edge between services (declared or seen in traffic), by uid: the call graph the engine links events
// through in memory (correlate/reach.py), as related_events.cypher follows it in the graph.
MATCH (a:Service)-[:CALLS]->(b:Service)
WITH DISTINCT a.uid AS a, b.uid AS b
RETURN a, b
ORDER BY a, b
LIMIT $limit
