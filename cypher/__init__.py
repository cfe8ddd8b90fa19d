"""The Cypher catalogue: one ``.cypher`` file per question, loaded once by name.

Every file runs on Neo4j 5 and on FalkorDB (see docs/cypher-portability.md); values only as ``$parameters``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import LiteralString


class UnknownQuery(KeyError):
    """No ``.cypher`` file has that name."""


@cache
def load(name: str) -> LiteralString:
    """Return the text of ``cypher/<name>.cypher`` (comment lines removed)."""
    path = resources.files(__name__).joinpath(f"{name}.cypher")
    if not path.is_file():
        raise UnknownQuery(f"no Cypher query named {name!r}; known: {', '.join(names())}")
    lines = [ln for ln in path.read_text("utf-8").splitlines() if not ln.lstrip().startswith("//")]
    text: LiteralString = "\n".join(lines).strip()  # file text, never built from values
    return text


def names() -> list[str]:
    """Every query name in the catalogue."""
    return sorted(
        p.name.removesuffix(".cypher") for p in resources.files(__name__).iterdir() if p.name.endswith(".cypher")
    )
