"""causegraph: what broke, why it broke, and what else is affected, from a Kubernetes topology graph."""

__version__ = "0.1.0"
