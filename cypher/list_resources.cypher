// Live resources of one kind (for pickers), optionally in one namespace or by name prefix.
MATCH (r:Resource)
WHERE r.kind = $kind AND r.cluster = $cluster AND r.deleted_at IS NULL
  AND ($namespace IS NULL OR r.namespace = $namespace)
  AND ($prefix IS NULL OR r.name STARTS WITH $prefix)
RETURN r.kind AS kind, r.namespace AS namespace, r.name AS name
LIMIT $limit
