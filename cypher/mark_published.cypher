// After the stream's ack: remember the published version (never lowering it).
UNWIND $rows AS row
MATCH (c:Correlation {id: row.id})
WHERE coalesce(c.published_version, 0) < row.version
SET c.published_version = row.version
RETURN count(c) AS marked
