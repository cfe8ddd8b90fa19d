// The relationships between the resources in $uids (to draw them as one picture).
MATCH (a:Resource)-[x]->(b:Resource)
WHERE a.uid IN $uids AND b.uid IN $uids
RETURN a.uid AS source, type(x) AS type, b.uid AS target
LIMIT $limit
