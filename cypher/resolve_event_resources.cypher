// Where did each event happen? For every row {i, id, uid, key, src_ip, dst_ip}: every candidate resource (by uid;
// by key; a Pod by ip or a Service by cluster_ip at either end of a network event) with the facts needed to pick
// the one that existed at the event's time: its lifetime, its owners ([depth, key]; the deepest is the top
// owner), its node and the services selecting it.
// Absent values are null (never ''), so they match nothing. One row per candidate, plus one row with role
// 'stored' for each event id that is already in the graph (a repeat).
UNWIND $rows AS row
OPTIONAL MATCH (u:Resource {uid: row.uid})
WITH row, collect(u.uid) AS by_uid
OPTIONAL MATCH (k:Resource {key: row.key})
WITH row, by_uid, collect(k.uid) AS by_key
OPTIONAL MATCH (sp:Resource {ip: row.src_ip})
WHERE sp:Pod
WITH row, by_uid, by_key, collect(sp.uid) AS src_pods
OPTIONAL MATCH (ss:Resource {cluster_ip: row.src_ip})
WHERE ss:Service
WITH row, by_uid, by_key, src_pods, collect(ss.uid) AS src_services
OPTIONAL MATCH (dp:Resource {ip: row.dst_ip})
WHERE dp:Pod
WITH row, by_uid, by_key, src_pods, src_services, collect(dp.uid) AS dst_pods
OPTIONAL MATCH (ds:Resource {cluster_ip: row.dst_ip})
WHERE ds:Service
WITH row, by_uid, by_key, src_pods, src_services, dst_pods, collect(ds.uid) AS dst_services
UNWIND
  [x IN by_uid | {role: 'uid', uid: x}] + [x IN by_key | {role: 'key', uid: x}] +
  [x IN src_pods | {role: 'src_pod', uid: x}] + [x IN src_services | {role: 'src_service', uid: x}] +
  [x IN dst_pods | {role: 'dst_pod', uid: x}] + [x IN dst_services | {role: 'dst_service', uid: x}] AS c
MATCH (n:Resource {uid: c.uid})
RETURN
  row.i AS i,
  c.role AS role,
  n.uid AS uid,
  n.key AS key,
  n.cluster AS cluster,
  n.kind AS kind,
  n.namespace AS namespace,
  n.name AS name,
  n.created_at AS created_at,
  n.deleted_at AS deleted_at,
  n.ip_since AS ip_since,
  [p = (n)-[:OWNED_BY*1..3]->(o) | [length(p), o.key]] AS owners,
  [(n)-[:RUNS_ON]->(nd) | nd.name] AS nodes,
  [(s:Service)-[:SELECTS]->(n) | s.uid] AS services
UNION ALL
UNWIND $rows AS row
MATCH (ev:Event {id: row.id})
RETURN
  row.i AS i,
  'stored' AS role,
  ev.id AS uid,
  null AS key,
  null AS cluster,
  null AS kind,
  null AS namespace,
  null AS name,
  null AS created_at,
  null AS deleted_at,
  null AS ip_since,
  [] AS owners,
  [] AS nodes,
  [] AS services
