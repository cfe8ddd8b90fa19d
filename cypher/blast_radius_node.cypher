// The blast radius of losing a node, step 1: the node and the live pods placed on it.
MATCH (n:Node {key: $key})
OPTIONAL MATCH (p:Pod)-[:RUNS_ON]->(n)
WHERE p.deleted_at IS NULL
RETURN n.uid AS target_uid, n.kind AS target_kind, p.uid AS uid, p.namespace AS namespace, p.name AS name,
       coalesce(p.phase, '') AS phase
