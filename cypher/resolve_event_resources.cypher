// Where did a batch of events happen? One index lookup per DISTINCT value (the writer dedupes, never sends '' or
// null): resources by uid ($uids), by key ($keys), Pods by ip and Services by cluster_ip ($ips), and which event
// ids are already stored ($ids, a repeat). Each candidate comes with what is needed to pick the one that existed
// at the event's time: its lifetime, its owners ([depth, key]; the deepest is the top owner), its node and the
// services that select it. The writer matches values back to events.
UNWIND $uids AS v
MATCH (n:Resource {uid: v})
RETURN
  'uid' AS by,
  v AS value,
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
UNWIND $keys AS v
MATCH (n:Resource {key: v})
RETURN
  'key' AS by,
  v AS value,
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
UNWIND $ips AS v
MATCH (n:Resource {ip: v})
WHERE n:Pod
RETURN
  'pod_ip' AS by,
  v AS value,
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
UNWIND $ips AS v
MATCH (n:Resource {cluster_ip: v})
WHERE n:Service
RETURN
  'service_ip' AS by,
  v AS value,
  n.uid AS uid,
  n.key AS key,
  n.cluster AS cluster,
  n.kind AS kind,
  n.namespace AS namespace,
  n.name AS name,
  n.created_at AS created_at,
  n.deleted_at AS deleted_at,
  n.ip_since AS ip_since,
  [] AS owners,
  [] AS nodes,
  [] AS services
UNION ALL
UNWIND $ids AS v
MATCH (e:Event {id: v})
RETURN
  'stored' AS by,
  v AS value,
  e.id AS uid,
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
