// The correlation each event now belongs to ($rows: {id, correlation_id}), written with the correlation's edges.
// Only that one property: a generic Event MERGE would also rewrite every indexed property of the node.
UNWIND $rows AS row
MATCH (e:Event {id: row.id})
SET e.correlation_id = row.correlation_id
RETURN count(e) AS updated
