// A resource by its key cluster/Kind/namespace/name; a live one before deleted ones of the same name.
MATCH (r:Resource {key: $key})
RETURN r AS resource
ORDER BY coalesce(r.deleted_at, 0) ASC, r.uid
LIMIT 5
