// Fallback SELECTS for services that no Endpoints/EndpointSlice links: the live pods whose labels contain the
// service's selector (labels and selectors are k=v lists). Returns how many links the run made or refreshed.
MATCH (s:Service {cluster: $cluster})
WHERE s.deleted_at IS NULL AND size(s.selector) > 0
WITH s, [(s)-[e:SELECTS]->(:Pod) | coalesce(e.via, '')] AS vias
WHERE NOT 'endpoints' IN vias
MATCH (p:Resource {namespace: s.namespace})
WHERE p:Pod AND p.cluster = $cluster AND p.deleted_at IS NULL AND all(l IN s.selector WHERE l IN p.labels)
MERGE (s)-[r:SELECTS]->(p)
ON CREATE SET r.via = 'selector'
SET r.ready = CASE WHEN r.via = 'selector' THEN p.ready ELSE r.ready END
RETURN count(r) AS linked
