// The uids of the live (not deleted) objects of one kind in $cluster, to find what a complete list no longer has.
MATCH (n:Resource {cluster: $cluster, kind: $kind})
WHERE n.deleted_at IS NULL
RETURN n.uid AS uid
