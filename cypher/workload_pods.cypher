// Live pods of one workload (through its ReplicaSet for a Deployment), with the node each runs on.
MATCH (p:Pod)-[:OWNED_BY*1..2]->(w:Resource {cluster: $cluster, name: $name})
WHERE p.deleted_at IS NULL AND (w:Deployment OR w:StatefulSet OR w:DaemonSet)
OPTIONAL MATCH (p)-[:RUNS_ON]->(n:Node)
RETURN p.uid AS uid, p.name AS name, p.namespace AS namespace, n.name AS node, n.uid AS node_uid
ORDER BY name, uid
LIMIT $limit
