// Store a batch of events and the traffic they show, in one statement so that all of it commits or none does.
// The writer has asked resolve_event_resources which ids are stored already and splits the batch:
// $new:     {id, about, props}: events not stored yet; MERGE by id (idempotent even if one arrived meanwhile),
//           all Event properties (graph/schema.py, Label.EVENT), and ABOUT the resource uid `about` when not null.
// $repeats: {id, props}: events already stored (a redelivery, or a Kubernetes Event the API server updated):
//           count and last_ts rise to the larger value, the newer message wins, a resource is only filled in
//           where none was known. Never a second node; a redelivery changes nothing.
// $calls:   {from, to, count, first_seen, last_seen}: Service uids, aggregated over the NEW events only, so a
//           redelivery never counts the same request twice.
UNWIND $new AS row
MERGE (e:Event {id: row.id})
ON CREATE SET e += row.props
WITH e, row
WHERE row.about IS NOT NULL
MATCH (r:Resource {uid: row.about})
MERGE (e)-[:ABOUT]->(r)
WITH count(*) AS created
UNWIND $repeats AS row
MATCH (e:Event {id: row.id})
WITH e, row.props AS p, row.props.last_ts > e.last_ts AS newer
SET
  e.awaiting_key = CASE WHEN coalesce(e.resource_uid, p.resource_uid) IS NULL THEN e.awaiting_key ELSE null END,
  e.count = CASE WHEN p.count > e.count THEN p.count ELSE e.count END,
  e.message = CASE WHEN newer THEN p.message ELSE e.message END,
  e.last_ts = CASE WHEN newer THEN p.last_ts ELSE e.last_ts END,
  e.resource_uid = coalesce(e.resource_uid, p.resource_uid),
  e.resource_key = coalesce(e.resource_key, p.resource_key),
  e.resource_kind = coalesce(e.resource_kind, p.resource_kind),
  e.namespace = coalesce(e.namespace, p.namespace),
  e.workload_key = coalesce(e.workload_key, p.workload_key),
  e.node_name = coalesce(e.node_name, p.node_name)
WITH e
OPTIONAL MATCH (r:Resource {uid: e.resource_uid})
FOREACH (x IN CASE WHEN r IS NULL THEN [] ELSE [r] END | MERGE (e)-[:ABOUT]->(x))
WITH count(*) AS updated
UNWIND $calls AS call
MATCH (a:Resource {uid: call.from})
MATCH (b:Resource {uid: call.to})
MERGE (a)-[c:CALLS {source: 'traffic'}]->(b)
ON CREATE SET c.count = 0, c.first_seen = call.first_seen, c.last_seen = call.last_seen
SET
  c.count = c.count + call.count,
  c.first_seen = CASE WHEN call.first_seen < c.first_seen THEN call.first_seen ELSE c.first_seen END,
  c.last_seen = CASE WHEN call.last_seen > c.last_seen THEN call.last_seen ELSE c.last_seen END
RETURN count(c) AS calls
