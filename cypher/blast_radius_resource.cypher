// The blast radius of losing any resource, step 1: the live pods that go with it
// (owned by a workload; mounting a ConfigMap/Secret/PVC; claiming a PVC bound to a PV; placed on a node; the pod).
MATCH (t:Resource {key: $key})
OPTIONAL MATCH (p:Pod)-[:OWNED_BY*1..2]->(t)
WHERE p.deleted_at IS NULL
RETURN t.uid AS target_uid, t.kind AS target_kind, p.uid AS uid, p.namespace AS namespace, p.name AS name
UNION
MATCH (t:Resource {key: $key})
OPTIONAL MATCH (p:Pod)-[:USES|CLAIMS|RUNS_ON]->(t)
WHERE p.deleted_at IS NULL
RETURN t.uid AS target_uid, t.kind AS target_kind, p.uid AS uid, p.namespace AS namespace, p.name AS name
UNION
MATCH (t:PersistentVolume {key: $key})
OPTIONAL MATCH (p:Pod)-[:CLAIMS]->(:PersistentVolumeClaim)-[:BOUND_TO]->(t)
WHERE p.deleted_at IS NULL
RETURN t.uid AS target_uid, t.kind AS target_kind, p.uid AS uid, p.namespace AS namespace, p.name AS name
UNION
MATCH (t:Pod {key: $key})
RETURN t.uid AS target_uid, t.kind AS target_kind, t.uid AS uid, t.namespace AS namespace, t.name AS name
