// Which of $facts (uid, reason, ts) are already events about that object of $cluster, stored from a version of it
// or told by the kubelet or the node controller at the same time: a status fact seen again on first sight (a
// relist after a restart) must not be recorded twice. Found by time (indexed; few events share a millisecond).
UNWIND $facts AS f
MATCH (e:Event {ts: f.ts})
WHERE e.resource_uid = f.uid AND e.reason = f.reason
MATCH (e)-[:ABOUT]->(r:Resource {uid: f.uid})
WHERE r.cluster = $cluster
RETURN DISTINCT f.uid AS uid, f.reason AS reason, f.ts AS ts
