"""Property tests over the OpenAPI document, in process against the ASGI app on the real embedded graph:
no 5xx and every response matches its declared schema. Bounded (few examples) so it runs in seconds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from api.app import create_app
from graph import GraphStore
from tests import apidata

SKIP: tuple[str, ...] = ()


@pytest.fixture
def app_and_token(store: GraphStore) -> Iterator[tuple[Any, str]]:
    toks = apidata.tokens()
    apidata.load_incident(store)
    from ingest.eventwriter import EventWriter
    from ingest.loader import TopologyLoader
    from ingest.pipeline import Pipeline

    pipeline = Pipeline(store, TopologyLoader(store, apidata.CLUSTER), EventWriter(store, apidata.CLUSTER))
    yield create_app(store, apidata.settings_with(toks["hashes"]), pipeline=pipeline), toks["write"]


def test_openapi_properties(app_and_token: tuple[Any, str]) -> None:
    app, token = app_and_token
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SKIP):
            continue

        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(
                response, checks=(not_a_server_error, status_code_conformance, response_schema_conformance)
            )

        try:
            check()
            ran += 1
        except Exception as exc:  # collect all, report together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert ran >= 8
    assert not failures, "\n\n".join(failures)
