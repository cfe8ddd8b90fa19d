// The topology through which events on each resource of $uids link to others (the paths of related_events.cypher,
// which the engine follows in memory, correlate/reach.py): a pod's node, the owners up to 3 OWNED_BY hops (the
// fewest hops to each), the ConfigMaps, Secrets and PVCs a pod uses. One row per (resource, part, other resource).
UNWIND $uids AS u
MATCH (:Pod {uid: u})-[:RUNS_ON]->(n:Node)
RETURN u AS uid, 'node' AS part, n.uid AS other, 1 AS hops
UNION ALL
UNWIND $uids AS u
MATCH p = (:Resource {uid: u})-[:OWNED_BY*1..3]->(w:Resource)
RETURN u AS uid, 'owner' AS part, w.uid AS other, min(length(p)) AS hops
UNION ALL
UNWIND $uids AS u
MATCH (:Pod {uid: u})-[:USES|CLAIMS]->(c:Resource)
RETURN u AS uid, CASE WHEN c:PersistentVolumeClaim THEN 'shared_volume' ELSE 'shared_config' END AS part,
       c.uid AS other, 1 AS hops
