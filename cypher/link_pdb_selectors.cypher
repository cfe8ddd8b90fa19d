// PROTECTS from each PodDisruptionBudget to the live pods its matchLabels select.
MATCH (b:PodDisruptionBudget {cluster: $cluster})
WHERE b.deleted_at IS NULL AND size(b.selector) > 0
MATCH (p:Resource {namespace: b.namespace})
WHERE p:Pod AND p.cluster = $cluster AND p.deleted_at IS NULL AND all(l IN b.selector WHERE l IN p.labels)
MERGE (b)-[r:PROTECTS]->(p)
RETURN count(r) AS linked
