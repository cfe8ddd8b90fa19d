// The recent events related to each event of $events, and how they are linked (DESIGN §5 step 2).
// $events: [{id, uid, ts, since, until, trace}]: the window around each event (until > ts takes in events that
// arrived before it but happened after it). One row per (event, link, dir, hops) with the other events as two lists
// in the same order (other_ids[i] happened at other_ts[i]), not one row per (event, other event, link): a busy
// workload links each warning to hundreds of others, and every row costs the client more than the query does.
// $weak: also the weak sibling links (pods on the same node, pods sharing a ConfigMap/Secret/PVC), which
// explain but never join on their own; the engine leaves them out.
// $min_rank: only other events at least this severe (0..7), and every change; the engine asks for warnings.
// $placed: leave out the other events after this one that no correlation holds yet (no correlation_id): the engine
// places events in event-time order, so it cannot use a link to one of those (they are the rest of its batch).
// dir: 1 = the other event's resource is upstream (a dependency) of this one's; -1 = downstream; 0 = siblings.
UNWIND $events AS e
MATCH (r:Resource {uid: e.uid})<-[:ABOUT]-(o:Event)
WITH e, o, r
WHERE o.id <> e.id AND o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed)
  AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'same_resource' AS link, 0 AS dir, 0 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Resource {uid: e.uid})-[:OWNED_BY*1..3]->(x:Resource)<-[:ABOUT]-(o:Event)
WITH e, o, r, x
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'owner' AS link, 1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Resource {uid: e.uid})<-[:OWNED_BY*1..3]-(x:Resource)<-[:ABOUT]-(o:Event)
WITH e, o, r, x
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'owner' AS link, -1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Resource {uid: e.uid})-[:OWNED_BY*1..2]->(w:Resource)<-[:OWNED_BY*1..2]-(x:Resource)
WHERE x.uid <> r.uid
WITH DISTINCT e, x
MATCH (x)<-[:ABOUT]-(o:Event)
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed)
  AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
WITH DISTINCT e, o
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'same_workload' AS link, 0 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Pod {uid: e.uid})-[:RUNS_ON]->(n:Node)<-[:ABOUT]-(o:Event)
WITH e, o, r, n
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'same_node' AS link, 1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Node {uid: e.uid})<-[:RUNS_ON]-(x:Pod)<-[:ABOUT]-(o:Event)
WITH e, o, r, x
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'same_node' AS link, -1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
WITH e
WHERE $weak
MATCH (r:Pod {uid: e.uid})-[:RUNS_ON]->(n:Node)<-[:RUNS_ON]-(x:Pod)<-[:ABOUT]-(o:Event)
WITH e, o, r, x, n
WHERE x.uid <> r.uid AND o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed)
  AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'same_node' AS link, 0 AS dir, 2 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Pod {uid: e.uid})<-[:SELECTS]-(s:Service)<-[:ABOUT]-(o:Event)
WITH e, o, r, s
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'selects' AS link, -1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Service {uid: e.uid})-[:SELECTS]->(x:Pod)<-[:ABOUT]-(o:Event)
WITH e, o, r, x
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'selects' AS link, 1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Resource {uid: e.uid})<-[:SELECTS*0..1]-(s1:Service)
MATCH p = (s1)-[:CALLS*1..3]->(s2:Service)
MATCH (s2)-[:SELECTS*0..1]->(x:Resource)<-[:ABOUT]-(o:Event)
WITH e, o, r, x, s1, s2, p
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
WITH e.id AS event_id, o, min(length(p)) AS hops
RETURN event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'calls' AS link, 1 AS dir, hops
UNION ALL
UNWIND $events AS e
MATCH (r:Resource {uid: e.uid})<-[:SELECTS*0..1]-(s1:Service)
MATCH p = (s1)<-[:CALLS*1..3]-(s2:Service)
MATCH (s2)-[:SELECTS*0..1]->(x:Resource)<-[:ABOUT]-(o:Event)
WITH e, o, r, x, s1, s2, p
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
WITH e.id AS event_id, o, min(length(p)) AS hops
RETURN event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'calls' AS link, -1 AS dir, hops
UNION ALL
UNWIND $events AS e
MATCH (r:Pod {uid: e.uid})-[:USES|CLAIMS]->(c:Resource)<-[:ABOUT]-(o:Event)
WITH e, o, r, c
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts,
       CASE WHEN c:PersistentVolumeClaim THEN 'shared_volume' ELSE 'shared_config' END AS link, 1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
MATCH (r:Resource {uid: e.uid})<-[:USES|CLAIMS]-(x:Pod)<-[:ABOUT]-(o:Event)
WITH e, o, r, x
WHERE o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed) AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts,
       CASE WHEN r:PersistentVolumeClaim THEN 'shared_volume' ELSE 'shared_config' END AS link, -1 AS dir, 1 AS hops
UNION ALL
UNWIND $events AS e
WITH e
WHERE $weak
MATCH (r:Pod {uid: e.uid})-[:USES|CLAIMS]->(c:Resource)<-[:USES|CLAIMS]-(x:Pod)<-[:ABOUT]-(o:Event)
WITH e, o, r, x, c
WHERE x.uid <> r.uid AND o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed)
  AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts,
       CASE WHEN c:PersistentVolumeClaim THEN 'shared_volume' ELSE 'shared_config' END AS link, 0 AS dir, 2 AS hops
UNION ALL
UNWIND $events AS e
MATCH (o:Event {trace_id: e.trace})
WHERE e.trace <> '' AND o.id <> e.id AND o.ts >= e.since AND o.ts <= e.until
  AND (o.ts <= e.ts OR o.correlation_id IS NOT NULL OR NOT $placed)
  AND (coalesce(o.severity_rank, $min_rank) >= $min_rank OR o.source_kind = 'change')
RETURN e.id AS event_id, collect(o.id) AS other_ids, collect(o.ts) AS other_ts, 'same_trace' AS link, 0 AS dir, 0 AS hops
