// The latest events about one resource.
MATCH (e:Event)-[:ABOUT]->(r:Resource {uid: $uid})
RETURN e.id AS id, e.ts AS ts, e.reason AS reason, e.type AS type, e.severity AS severity, e.message AS message,
       e.correlation_id AS correlation_id
ORDER BY ts DESC, id
LIMIT $limit
