// Correlations overlapping [$since, $until], newest activity first, filtered, one page after the cursor.
// The cursor is the (last_seen, id) of the previous page's last row ($after_ts null for the first page).
MATCH (c:Correlation)
WHERE c.last_seen >= $since AND c.first_seen <= $until
  AND ($state IS NULL OR c.state = $state)
  AND ($type IS NULL OR c.type = $type)
  AND ($severity IS NULL OR c.severity = $severity)
  AND ($namespace IS NULL OR $namespace IN c.namespaces)
  AND ($after_ts IS NULL OR c.last_seen < $after_ts OR (c.last_seen = $after_ts AND c.id < $after_id))
WITH c
ORDER BY c.last_seen DESC, c.id DESC
LIMIT $limit
RETURN c.id AS id, c.last_seen AS last_seen, c.document AS document
