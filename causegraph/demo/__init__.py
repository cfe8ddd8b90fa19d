"""``make demo``: recorded incidents on the Online Boutique, played through NATS, told in a few lines each."""
