// Before an Endpoints/EndpointSlice is rewritten: drop the SELECTS it made; rows {service_key, origin}.
UNWIND $rows AS row
MATCH (s:Service {key: row.service_key})-[r:SELECTS]->(:Pod)
WHERE r.origin = row.origin
DELETE r
