"""Representative parameters for every query in the Cypher catalogue.

``tests/test_cypher_catalogue.py`` runs each ``cypher/<name>.cypher`` with these on the embedded FalkorDB and
fails for a query that has no entry here, so every new query is executed by the suite.
"""

from __future__ import annotations

from typing import Any

NOW = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch ms

PARAMS: dict[str, dict[str, Any]] = {
    "graph_stats_nodes": {},
    "graph_stats_relationships": {},
}
