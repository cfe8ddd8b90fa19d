"""Settings come from the environment with the CAUSEGRAPH_ prefix, nested with `__`, validated at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from causegraph.settings import load_settings
from graph.settings import DEFAULT_GRAPH_URL


def test_defaults_are_the_embedded_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAUSEGRAPH_GRAPH_URL", raising=False)
    settings = load_settings()
    assert settings.graph.url == DEFAULT_GRAPH_URL
    assert settings.api.token_hashes == []  # no default token outside the demo


def test_nested_and_flat_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__BATCH_SIZE", "250")
    monkeypatch.setenv("CAUSEGRAPH_GRAPH_URL", "bolt://db:7687")
    monkeypatch.setenv("CAUSEGRAPH_NATS__SUBJECTS", '["traces.>", "other.>"]')
    settings = load_settings()
    assert settings.graph.batch_size == 250
    assert settings.graph.url == "bolt://db:7687"
    assert settings.nats.subjects == ["traces.>", "other.>"]


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__BATCH_SIZE", "0")
    with pytest.raises(ValidationError, match="batch_size"):
        load_settings()


def test_password_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__PASSWORD", "hunter2")
    settings = load_settings()
    assert "hunter2" not in repr(settings)
    assert settings.graph.password.get_secret_value() == "hunter2"


def test_each_group_is_its_layers_type() -> None:
    """``causegraph.settings`` composes the layers' settings types; it owns only ``serve``."""
    from api.settings import ApiSettings
    from correlate.settings import CorrelateSettings
    from graph.settings import GraphSettings
    from ingest.settings import IngestSettings, KubernetesSettings, NatsSettings

    s = load_settings()
    assert isinstance(s.graph, GraphSettings) and isinstance(s.correlate, CorrelateSettings)
    assert isinstance(s.api, ApiSettings) and isinstance(s.nats, NatsSettings)
    assert isinstance(s.ingest, IngestSettings) and isinstance(s.kubernetes, KubernetesSettings)


def test_max_hops_is_bounded_by_what_the_cypher_follows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSEGRAPH_CORRELATE__MAX_HOPS", "4")
    with pytest.raises(ValidationError, match="max_hops"):
        load_settings()


@pytest.mark.parametrize(("group", "name"), [("graph", "timeout_s"), ("serve", "api"), ("correlate", "join_threshold")])
def test_settings_that_did_nothing_are_gone(group: str, name: str) -> None:
    assert name not in type(getattr(load_settings(), group)).model_fields


def test_nats_takes_a_comma_separated_server_list_and_a_replica_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSEGRAPH_NATS_URL", "nats://a:4222, nats://b:4222,nats://c:4222")
    monkeypatch.setenv("CAUSEGRAPH_NATS__REPLICAS", "3")
    settings = load_settings()
    assert settings.nats.servers == ["nats://a:4222", "nats://b:4222", "nats://c:4222"]
    assert settings.nats.replicas == 3
    assert load_settings(nats_url="nats://one:4222").nats.servers == ["nats://one:4222"]
    monkeypatch.setenv("CAUSEGRAPH_NATS__REPLICAS", "0")
    with pytest.raises(ValidationError, match="replicas"):
        load_settings()
