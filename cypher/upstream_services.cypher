// The services that call (transitively, a few hops) any of the services $uids.
// The filter comes after the traversal so that the planner starts from the given services.
UNWIND $uids AS u
MATCH (s:Service {uid: u})<-[:CALLS*1..4]-(up:Service)
WITH DISTINCT up
WHERE up.deleted_at IS NULL
RETURN up.uid AS uid, up.namespace AS namespace, up.name AS name
