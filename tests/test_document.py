"""Building the result document from the engine's state (no database)."""

from __future__ import annotations

from correlate import model as m
from correlate.document import Assessment, Pieces, build, chain, evidence, impact
from correlate.narrative import Facts
from tests.correlate_members import member


def corr() -> m.Correlation:
    c = m.Correlation("corr-1", state="active")
    db = member("db", 0, "OOMKilled", "resource_exhaustion", services=("mysql",), node="n1", workload="mysql")
    api = member("api", 1000, "timeout", "network", services=("api",), link=m.CALLS, weight=0.8)
    api.linked_to = "db"
    web = member("web", 2000, "http_503", "network", services=("web",), link=m.SAME_TRACE, weight=0.95)
    web.linked_to, web.trace_id = "api", "t1"
    for x in (web, api, db):
        c.members[x.id] = x
    c.links = [m.Link("api", "db", m.CALLS, 0.8, 1), m.Link("web", "api", m.SAME_TRACE, 0.95, 0)]
    return c


def test_document_lists_every_member_root_first() -> None:
    a = Assessment((("db", 0.9), ("api", 0.3), ("web", 0.1)), "cascading_failure", 0.9, "critical")
    doc = build(corr(), a, Facts(), version=2)
    assert doc.related_events == ["db", "api", "web"] and doc.version == 2
    assert doc.root_cause.event_id == "db" and doc.first_seen == "1970-01-01T00:00:00Z"
    assert doc.last_seen == "1970-01-01T00:00:02Z" and doc.trace_ids == ["t1"]
    assert doc.recurrence is None and "corr-1" in doc.cypher
    assert build(corr(), a, Facts(), version=0).version == 1


def test_chain_walks_out_from_the_root() -> None:
    steps = chain(corr(), "db")
    assert [(s.event_id, s.link) for s in steps] == [("db", "root"), ("api", "calls"), ("web", "same_trace")]


def test_evidence_and_impact() -> None:
    ev = evidence(corr(), "db")
    assert [(e.from_, e.to, e.link) for e in ev] == [("db", "api", "calls"), ("api", "web", "same_trace")]
    imp = impact(list(corr().members.values()))
    assert imp.services == ["api", "mysql", "web"] and imp.pods == 3 and imp.nodes == ["n1"]
    assert imp.workloads == ["deployment/shop/mysql"] and imp.namespaces == ["shop"]


def test_recurrence_only_on_recurring() -> None:
    c = corr()
    c.recurring = m.Recurring(21600, 4)
    a = Assessment((("db", 1.0),), "recurring_failure", 0.9, "high")
    doc = build(c, a, Facts(period_seconds=21600, occurrences=4), version=1)
    assert doc.recurrence is not None and doc.recurrence.period_seconds == 21600
    assert "recurrence" in doc.to_dict()


def test_kept_pieces_give_the_same_document_as_a_fresh_build() -> None:
    """The per-member pieces kept between versions (``Pieces``) never change a document: growth, a pair linked
    twice (the first link's kind wins), a link to a non-member that becomes one later, and a new root."""
    kinds = (m.SAME_WORKLOAD, m.SAME_NODE, m.CALLS, m.SAME_TRACE)
    c = m.Correlation("corr-2", state="active")
    pieces = Pieces()
    for i in range(12):
        x = member(f"e{i:02d}", 1000 * (i % 5), "BackOff", "workload", services=(f"s{i % 3}",), link=kinds[i % 4])
        x.linked_to = "e00" if i else ""
        c.members[x.id] = x
        c.links.extend(m.Link(x.id, f"e{j:02d}", kinds[(i + j) % 4], 0.5, (i + j) % 3 - 1) for j in range(i))
        c.links.append(m.Link(x.id, "e00", m.SHARED_CONFIG, 0.4, 0))  # the same pair again, another kind
        c.links.append(m.Link(x.id, f"e{i + 1:02d}", m.CALLS, 0.6, 1))  # not a member yet
        root = f"e{(i // 4) * 4:02d}"
        a = Assessment(((root, 0.9),), "workload_failure", 0.8, "high")
        kept = build(c, a, Facts(), version=i + 1, pieces=pieces).to_json()
        assert kept == build(c, a, Facts(), version=i + 1).to_json()
        assert chain(c, root, pieces) == chain(c, root) and evidence(c, root, pieces) == evidence(c, root)
    assert pieces.links_done == -1  # a link ran outside the members: built afresh since
    steps = {s.event_id: s.link for s in chain(c, "e00", pieces)}
    assert steps["e00"] == m.ROOT and steps["e01"] == m.CALLS and steps["e03"] == m.SAME_TRACE  # their first links


def test_aftermath_events_follow_the_members_in_the_list_and_the_chain_not_the_evidence() -> None:
    c = corr()
    stop = member("stop", 500, "Killing", "lifecycle", rank=2, link=m.AFTERMATH, weight=0.0)
    stop.linked_to = "db"
    c.aftermath[stop.id] = stop
    a = Assessment((("db", 0.9), ("api", 0.3), ("web", 0.1)), "cascading_failure", 0.9, "critical")
    doc = build(c, a, Facts(), version=1, pieces=Pieces())
    assert doc.related_events == ["db", "api", "web", "stop"]
    assert [(s.event_id, s.link) for s in doc.chain][-1] == ("stop", "aftermath")
    assert "stop" not in {e.to for e in doc.evidence}  # it explains nothing and nothing was explained by it
    assert doc.impact == build(corr(), a, Facts(), version=1).impact  # the stopped pod is no more trouble
