// Mark objects deleted (they stay until retention removes them); rows {uid, at}. Already-deleted ones keep their time.
UNWIND $rows AS row
MATCH (n:Resource {uid: row.uid})
WHERE n.deleted_at IS NULL
SET n.deleted_at = row.at
