// The top-level workloads of the lost pods $uids: how many of their live pods are lost.
UNWIND $uids AS u
MATCH (p:Pod {uid: u})-[:OWNED_BY*1..2]->(w:Resource)
OPTIONAL MATCH (w)-[up:OWNED_BY]->()
WITH p, w, up
WHERE up IS NULL
WITH w, count(DISTINCT p) AS affected
WITH w, affected, [(w)<-[:OWNED_BY*1..2]-(q:Pod) WHERE q.deleted_at IS NULL | q.uid] AS live
RETURN w.uid AS uid, w.kind AS kind, w.namespace AS namespace, w.name AS name, w.replicas AS replicas,
       affected, size(live) AS pods
