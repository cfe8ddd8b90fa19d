// Events stored before the graph knew what they are about (a collector's event about a pod the watch had not
// listed yet: they race) become ABOUT it once a resource with the key they name is written: $keys, the keys of
// the resources a topology write just wrote; one index lookup per key. The resource must have existed at the
// event's time (a pod recreated under the same name is another pod). Returns how many events were linked.
UNWIND $keys AS key
MATCH (e:Event {awaiting_key: key})
MATCH (r:Resource {key: key})
WHERE (r.created_at IS NULL OR r.created_at <= e.ts) AND (r.deleted_at IS NULL OR r.deleted_at >= e.ts)
OPTIONAL MATCH (r)-[:RUNS_ON]->(n:Node)
WITH e, r, head(collect(n.name)) AS node
MERGE (e)-[:ABOUT]->(r)
SET
  e.awaiting_key = null,
  e.resource_uid = r.uid,
  e.resource_key = r.key,
  e.resource_kind = r.kind,
  e.namespace = coalesce(e.namespace, r.namespace),
  e.node_name = coalesce(e.node_name, node)
RETURN count(e) AS linked
