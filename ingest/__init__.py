"""Sources -> normalised events and topology writes: Kubernetes list/watch, snapshot files, NATS."""
