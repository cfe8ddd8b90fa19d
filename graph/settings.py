"""The graph layer's settings: where the graph lives (DESIGN §2) and how it is written.

A plain model: ``causegraph.settings`` composes it into the one settings object that reads the environment
(``CAUSEGRAPH_GRAPH__*``); nothing here reads it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

DEFAULT_GRAPH_URL = "./.causegraph/graph.rdb"


class GraphSettings(BaseModel):
    """Where the graph lives and how it is written."""

    url: str = DEFAULT_GRAPH_URL
    name: str = "causegraph"
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    batch_size: int = Field(1000, ge=1, le=100_000)
    retries: int = Field(5, ge=0, le=50)
    # Embedded FalkorDB: when its append-only file is fsynced. Either way a write survives kill -9 of the
    # server; "everysec" may lose up to a second of writes to a crash of the machine, "always" none, and is slower.
    appendfsync: Literal["everysec", "always"] = "everysec"
