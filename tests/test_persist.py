"""The graph's copy of correlations: what is written for a change and read back at a restart (on a real graph)."""

from __future__ import annotations

import json

from correlate import model as m
from correlate import persist
from correlate.engine import Engine
from correlate.settings import CorrelateSettings
from graph import GraphStore
from tests import topo_builder as tb
from tests.test_engine import cascade


def test_a_member_read_back_from_its_row_keeps_what_the_engine_needs() -> None:
    ctx = m.Context(uid="uid-db-0", cluster="c", kind="Pod", name="db-0")
    row = {
        "id": "oom",
        "ts": 1_000,
        "reason": "OOMKilled",
        "category": "resource_exhaustion",
        "severity_rank": 5,
        "source_kind": "k8s_event",
        "uid": "uid-db-0",
        "detail": json.dumps({"parent_span_id": "p1"}),
        "link": "calls",
        "weight": 0.85,
    }
    x = persist.member_of(row, {"uid-db-0": ctx}, "c")
    assert (x.id, x.ts, x.ctx, x.last_ts, x.count, x.link, x.weight) == ("oom", 1_000, ctx, 1_000, 1, "calls", 0.85)
    assert x.detail == {"parent_span_id": "p1"} and x.target is None
    unknown = persist.member_of({**row, "uid": "uid-gone"}, {}, "c")
    assert (unknown.ctx.uid, unknown.ctx.cluster) == ("uid-gone", "c")  # a resource no longer in the graph


def test_document_times_read_back() -> None:
    assert persist.doc_time("") == 0
    assert persist.doc_time("1970-01-01T00:00:01Z") == 1_000


def test_what_is_written_is_what_a_restart_reads(store: GraphStore) -> None:
    tb.build(store)
    engine = Engine(store, CorrelateSettings(disorder_ms=0), tb.CLUSTER)
    (doc,) = engine.process(tb.stored(store, cascade()))
    (row,) = store.query("open_correlations", {"limit": 10})
    assert row["id"] == doc.id and persist.document_of(str(row["document"])) == doc


def test_a_withdrawal_supersedes_with_no_members_and_names_where_they_went(store: GraphStore) -> None:
    tb.build(store)
    engine = Engine(store, CorrelateSettings(disorder_ms=0), tb.CLUSTER)
    (doc,) = engine.process(tb.stored(store, cascade()))
    gone = persist.withdrawal(doc, ["corr-a", "corr-b"])
    assert (gone.id, gone.version, gone.state) == (doc.id, doc.version, "resolved")
    assert gone.related_events == [] and gone.chain == [] and gone.trace_ids == []
    assert gone.summary.endswith("(now in corr-a, corr-b)")
