// Keep one verdict on a correlation beside it; the engine reads these to adjust weights and confidence.
MATCH (c:Correlation {id: $correlation_id})
MERGE (f:Feedback {id: $id})
// The root the verdict judged, as it was then (the engine may move the root because of this very verdict).
ON CREATE SET f.root_event_id = c.root_event_id
SET f.correlation_id = $correlation_id, f.verdict = $verdict, f.event_id = $event_id, f.comment = $comment,
    f.at = $at
MERGE (f)-[:FEEDBACK_ON]->(c)
RETURN f.id AS id, f.correlation_id AS correlation_id, f.verdict AS verdict, f.event_id AS event_id,
       f.comment AS comment, f.at AS at
