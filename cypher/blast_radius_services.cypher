// The services selecting the lost pods $uids: their ready endpoints and how many of those are lost.
UNWIND $uids AS u
MATCH (s:Service)-[l:SELECTS]->(p:Pod {uid: u})
WITH s, count(DISTINCT CASE WHEN coalesce(l.ready, true) THEN p END) AS lost
MATCH (s)-[r:SELECTS]->(q:Pod)
WHERE q.deleted_at IS NULL AND coalesce(r.ready, true)
RETURN s.uid AS uid, s.namespace AS namespace, s.name AS name, count(DISTINCT q) AS endpoints, lost
