"""The committed ``api/correlation.schema.json`` is the model's export."""

from __future__ import annotations

import json
from pathlib import Path

from api.schema import SCHEMA_PATH, export_schema


def test_committed_schema_equals_export(tmp_path: Path) -> None:
    exported = export_schema(tmp_path / "schema.json")
    assert json.loads(SCHEMA_PATH.read_text()) == json.loads(exported.read_text()), (
        "api/correlation.schema.json is stale: run python -m api.schema"
    )


def test_export_writes_where_the_api_ships_it() -> None:
    assert SCHEMA_PATH.parent.name == "api" and SCHEMA_PATH.is_file()
