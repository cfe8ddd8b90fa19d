// One hop around the resources in $uids, both directions, without the namespace hub edges.
MATCH (a:Resource)-[x]-(b:Resource)
WHERE a.uid IN $uids AND type(x) <> 'IN_NAMESPACE'
RETURN a.uid AS from_uid, startNode(x) = a AS outgoing, type(x) AS type, b AS node
LIMIT $limit
