// The resources one correlation is about (through its events) and those it impacts, each list bounded.
MATCH (c:Correlation {id: $id})
OPTIONAL MATCH (c)-[:INCLUDES|ROOT_CAUSE]->(e:Event)-[:ABOUT]->(r:Resource)
WITH c, collect(DISTINCT r) AS about
OPTIONAL MATCH (c)-[:IMPACTS]->(i:Resource)
RETURN c.root_event_id AS root_event_id, about[0..$limit] AS about, collect(DISTINCT i)[0..$limit] AS impacted
