"""One module per CLI command; each exposes ``register(subparsers)`` and a ``run(args, settings) -> int``."""
