// Correlations a correlator left open (building or active): a restarted one takes them up again, with their ids
// and version counts, and resolves those that went quiet meanwhile (no ghost stays active).
MATCH (c:Correlation)
WHERE c.state IN ['building', 'active'] AND c.document IS NOT NULL
RETURN c.id AS id, c.state AS state, c.version AS version, coalesce(c.published_version, 0) AS published_version,
       c.document AS document
ORDER BY c.first_seen, c.id
LIMIT $limit
