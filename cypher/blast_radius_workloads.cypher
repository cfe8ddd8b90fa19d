// The top-level workloads of the lost pods $uids: how many of their live pods are lost.
UNWIND $uids AS u
MATCH (p:Pod {uid: u})-[:OWNED_BY*1..2]->(w:Resource)
WHERE NOT (w)-[:OWNED_BY]->()
WITH w, count(DISTINCT p) AS affected
OPTIONAL MATCH (q:Pod)-[:OWNED_BY*1..2]->(w)
WHERE q.deleted_at IS NULL
RETURN w.uid AS uid, w.kind AS kind, w.namespace AS namespace, w.name AS name, w.replicas AS replicas,
       affected, count(DISTINCT q) AS pods
