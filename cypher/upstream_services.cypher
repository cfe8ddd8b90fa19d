// The services that call (transitively, a few hops) any of the services $uids.
UNWIND $uids AS u
MATCH (s:Service {uid: u})<-[:CALLS*1..4]-(up:Service)
WHERE up.deleted_at IS NULL
RETURN DISTINCT up.uid AS uid, up.namespace AS namespace, up.name AS name
