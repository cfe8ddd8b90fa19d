// The revisions of a workload (its ReplicaSets), newest first: what to roll back to after a bad rollout.
MATCH (d:Resource {uid: $uid})<-[:OWNED_BY]-(rs:ReplicaSet)
RETURN rs.name AS name, rs.revision AS revision, rs.images AS images, rs.replicas AS replicas,
       rs.created_at AS created_at
ORDER BY toInteger(rs.revision) DESC, rs.created_at DESC, rs.name DESC
