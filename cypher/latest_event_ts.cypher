// The event clock: the time of the newest event in the graph.
MATCH (e:Event)
RETURN max(e.ts) AS ts
