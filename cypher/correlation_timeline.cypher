// The events of one correlation in time order, with how each joined it; the root is c.root_event_id.
MATCH (c:Correlation {id: $id})-[r:INCLUDES|ROOT_CAUSE]->(e:Event)
OPTIONAL MATCH (e)-[:ABOUT]->(res:Resource)
RETURN e.id AS id, e.ts AS ts, e.last_ts AS last_ts, e.reason AS reason, e.type AS type, e.severity AS severity,
       e.category AS category, e.source AS source, e.message AS message, e.count AS count, e.trace_id AS trace_id,
       type(r) AS rel, r.role AS role, r.link AS link, r.weight AS weight, c.root_event_id AS root_event_id,
       res.kind AS kind, res.namespace AS namespace, res.name AS name, res.key AS resource_key, res.uid AS resource_uid
ORDER BY ts, id, rel
LIMIT $limit
