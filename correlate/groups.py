"""What is failing now, grouped by top-level owner."""

from __future__ import annotations

from typing import Any

from graph import GraphStore


def failing_groups(store: GraphStore, cluster: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Owner groups of failing pods and recent warning events, worst first."""
    raise NotImplementedError
