// Which of $facts (uid, reason, ts) are already events about that object of $cluster, under any id: a status
// fact seen again on first sight (a relist after a restart) must not be recorded twice.
UNWIND $facts AS f
MATCH (r:Resource {cluster: $cluster, uid: f.uid})<-[:ABOUT]-(e:Event)
WHERE e.reason = f.reason AND e.ts = f.ts
RETURN DISTINCT f.uid AS uid, f.reason AS reason, f.ts AS ts
