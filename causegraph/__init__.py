"""causegraph: what broke, why it broke, and what else is affected, from a Kubernetes topology graph."""

from model import __version__ as __version__  # one version, from the bottom layer the API also reports
