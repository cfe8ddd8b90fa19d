// SELECTS from Endpoints/EndpointSlices whose targetRef names the pod by uid; rows {service_key, pod_uid, ready, origin}.
UNWIND $rows AS row
MATCH (s:Service {key: row.service_key})
WHERE s.deleted_at IS NULL
MATCH (p:Pod {uid: row.pod_uid})
MERGE (s)-[r:SELECTS]->(p)
SET r.ready = row.ready, r.via = 'endpoints', r.origin = row.origin
