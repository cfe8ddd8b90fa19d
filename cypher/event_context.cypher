// What surrounds each resource in $uids: node, top-level owner, the services that select it (for the engine);
// for a Service, the nodes its pods run on (a call to it that failed blames those).
UNWIND $uids AS u
MATCH (r:Resource {uid: u})
OPTIONAL MATCH (r)-[:RUNS_ON]->(n:Node)
OPTIONAL MATCH (r)-[:OWNED_BY*1..3]->(w:Resource)
OPTIONAL MATCH (w)-[up:OWNED_BY]->()
WITH r, n, w, up
WHERE up IS NULL
OPTIONAL MATCH (s:Service)-[:SELECTS]->(r)
WITH r, n, w, collect(DISTINCT s.name) AS services, collect(DISTINCT s.uid) AS service_uids
OPTIONAL MATCH (r)-[:SELECTS]->(:Pod)-[:RUNS_ON]->(sn:Node)
WITH r, n, w, services, service_uids, collect(DISTINCT sn.name) AS pod_nodes
RETURN r.uid AS uid, r.cluster AS cluster, r.kind AS kind, r.namespace AS namespace, r.name AS name,
       coalesce(n.name, r.node_name, '') AS node,
       w.uid AS workload_uid, w.kind AS workload_kind, w.namespace AS workload_namespace, w.name AS workload_name,
       w.replicas AS workload_replicas, w.revision AS workload_revision, w.images AS workload_images,
       coalesce(r.limits_memory, w.limits_memory) AS limits_memory, coalesce(r.limits_cpu, w.limits_cpu) AS limits_cpu,
       r.images AS images, services, service_uids, pod_nodes
