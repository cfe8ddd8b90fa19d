// SELECTS from Endpoints/EndpointSlices whose targetRef has no uid (trimmed captures): the live pod of that key.
UNWIND $rows AS row
MATCH (s:Service {key: row.service_key})
WHERE s.deleted_at IS NULL
MATCH (p:Pod {key: row.pod_key})
WHERE p.deleted_at IS NULL
MERGE (s)-[r:SELECTS]->(p)
SET r.ready = row.ready, r.via = 'endpoints', r.origin = row.origin
