// One correlation's latest result document.
MATCH (c:Correlation {id: $id})
RETURN c.id AS id, c.state AS state, c.root_event_id AS root_event_id, c.document AS document
LIMIT 1
