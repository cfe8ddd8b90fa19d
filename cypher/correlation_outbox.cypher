// The outbox: correlations written with a version not yet published (published_version < version), oldest first.
MATCH (c:Correlation)
WHERE c.version > coalesce(c.published_version, 0)
RETURN c.id AS id, c.version AS version, c.document AS document
ORDER BY c.updated_at, c.id
LIMIT $limit
