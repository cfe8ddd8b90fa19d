"""What the outside sees: the correlation result schema, the NATS publisher and the REST app."""
