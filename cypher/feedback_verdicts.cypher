// Every stored verdict, oldest first, with the pattern and root it judged and the event it named as right.
MATCH (f:Feedback)-[:FEEDBACK_ON]->(c:Correlation)
OPTIONAL MATCH (r:Event {id: coalesce(f.root_event_id, c.root_event_id)})
OPTIONAL MATCH (e:Event {id: coalesce(f.event_id, '')})
RETURN f.verdict AS verdict, c.id AS correlation_id, c.type AS pattern, r.reason AS root_reason,
       e.id AS right_event_id, e.reason AS right_reason
ORDER BY f.at, f.id
LIMIT $limit
