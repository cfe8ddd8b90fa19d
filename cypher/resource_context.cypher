// For each resource in $uids: its owners (two levels), its node and the services selecting it.
UNWIND $uids AS u
MATCH (a:Resource {uid: u})
OPTIONAL MATCH (a)-[:OWNED_BY*1..2]->(o:Resource)
WITH a, collect(DISTINCT o) AS owners
OPTIONAL MATCH (a)-[:RUNS_ON]->(n:Resource)
WITH a, owners, collect(DISTINCT n) AS nodes
OPTIONAL MATCH (s:Resource)-[:SELECTS]->(a)
WITH a, owners, nodes, collect(DISTINCT s)[0..$limit] AS services
RETURN a.uid AS uid, owners + nodes + services AS related
