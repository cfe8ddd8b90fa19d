// Whether an event id is stored.
MATCH (e:Event {id: $id})
RETURN e.id AS id
LIMIT 1
