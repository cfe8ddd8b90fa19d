// The event clock, bounded: the newest event time no later than $until (the wall clock plus the bound on how far
// ahead an event may be), so that an event stored with a far-future time never becomes "now".
MATCH (e:Event)
WHERE e.ts <= $until
RETURN max(e.ts) AS ts
