// The PodDisruptionBudgets protecting the lost pods $uids, with what they allow.
UNWIND $uids AS u
MATCH (b:PodDisruptionBudget)-[:PROTECTS]->(p:Pod {uid: u})
WITH b, count(DISTINCT p) AS lost
OPTIONAL MATCH (b)-[:PROTECTS]->(q:Pod)
WHERE q.deleted_at IS NULL
RETURN b.namespace AS namespace, b.name AS name, b.min_available AS min_available,
       b.max_unavailable AS max_unavailable, b.disruptions_allowed AS disruptions_allowed,
       lost, count(DISTINCT q) AS protected
