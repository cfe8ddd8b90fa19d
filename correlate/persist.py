"""The graph's copy of the engine's correlations: the rows written for what changed, and members and documents
read back at a restart. The engine decides; this turns its decisions into the few batched writes of
``graphio.write_correlations``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from correlate import graphio
from correlate import model as m
from correlate import state as st
from correlate.document import Assessment
from graph import GraphStore
from model.result import CorrelationResult, Impact
from model.times import parse_rfc3339


def write(
    store: GraphStore,
    now: int,
    docs: list[tuple[m.Correlation, CorrelationResult, Assessment]],
    merged: list[m.Correlation],
    withdrawn: Sequence[tuple[m.Correlation, CorrelationResult | None]] = (),
) -> None:
    """Write what changed; a correlation that lost members (placed again) has its edges written afresh."""
    nodes: list[dict[str, object]] = []
    includes: list[dict[str, object]] = []
    roots: list[dict[str, object]] = []
    impacts: list[dict[str, object]] = []
    reset: list[str] = []
    for corr, doc, a in docs:
        uids = {u for x in corr.members.values() for u in (x.ctx.workload_uid, *x.ctx.service_uids) if u}
        if not (corr.written_members <= corr.event_ids() and corr.written_impacts <= uids):
            reset.append(corr.id)
            corr.written_members, corr.written_root, corr.written_impacts = set(), "", set()
        nodes.append(
            {
                "id": corr.id,
                "type": doc.type,
                "state": doc.state,
                "severity": doc.severity,
                "confidence": doc.confidence,
                "summary": doc.summary,
                "version": corr.version,
                "first_seen": corr.first_seen,
                "last_seen": corr.last_seen,
                "updated_at": now,
                "root_event_id": a.root,
                "namespaces": doc.impact.namespaces,
                "document": doc.to_json(),
            }
        )
        root_changed = corr.written_root != a.root
        if root_changed:
            roots.append({"from": corr.id, "to": a.root})
        for x in (*corr.members.values(), *corr.aftermath.values()):
            if x.id in corr.written_members and not (root_changed and x.id in (a.root, corr.written_root)):
                continue
            role = "root" if x.id == a.root else "member"
            includes.append(
                {"from": corr.id, "to": x.id, "role": role, "link": x.link, "weight": x.weight, "via": x.linked_to}
            )
            corr.written_members.add(x.id)
        corr.written_root = a.root
        new_uids = sorted(uids - corr.written_impacts)
        impacts.extend({"from": corr.id, "to": u, "status": "affected"} for u in new_uids)
        corr.written_impacts.update(new_uids)
    for gone in merged:
        nodes.append(
            {
                "id": gone.id,
                "state": st.RESOLVED,
                "summary": f"merged into {gone.merged_into}",
                "updated_at": now,
            }
        )
    for src, withdrawal in withdrawn:
        row: dict[str, object] = {"id": src.id, "state": st.RESOLVED, "updated_at": now}
        if withdrawal is not None:
            row |= {"version": src.version, "summary": withdrawal.summary, "document": withdrawal.to_json()}
        nodes.append(row)
    cleared = [g.id for g in merged] + reset + [src.id for src, _ in withdrawn]
    graphio.write_correlations(store, nodes, includes, roots, impacts, gone=cleared)


def member_of(r: Mapping[str, Any], contexts: Mapping[str, m.Context], cluster: str) -> m.Member:
    """A member as the graph holds it (a restart takes up open correlations and history from rows)."""
    uid, target = str(r.get("uid") or ""), str(r.get("target_uid") or "")
    return m.Member(
        id=str(r["id"]),
        ts=int(r["ts"]),
        reason=str(r["reason"] or ""),
        category=str(r["category"]),
        severity_rank=int(r["severity_rank"]),
        source_kind=str(r["source_kind"]),
        type=str(r.get("type") or "Warning"),
        message=str(r.get("message") or ""),
        trace_id=str(r.get("trace_id") or ""),
        count=int(r.get("count") or 1),
        last_ts=int(r.get("last_ts") or r["ts"]),
        told=m.tellings(int(r["ts"]), int(r.get("count") or 1), int(r.get("last_ts") or r["ts"])),
        ctx=contexts.get(uid) or m.Context(uid=uid, cluster=cluster),
        target=contexts.get(target) if target else None,
        detail=graphio.detail_of(r.get("detail")),
        link=str(r.get("link") or m.ROOT),
        linked_to=str(r.get("via") or ""),
        weight=1.0 if r.get("weight") is None else float(r["weight"]),
    )


def doc_time(text: str) -> int:
    """Epoch ms of a document's RFC3339 time (0 when empty)."""
    if not text:
        return 0
    return parse_rfc3339(text, "document time")


def document_of(row_document: str) -> CorrelationResult:
    """The stored document of a Correlation node."""
    return CorrelationResult.model_validate(json.loads(row_document))


def withdrawal(doc: CorrelationResult, homes: Sequence[str]) -> CorrelationResult:
    """The last version of a correlation whose events all went elsewhere when placed again: resolved, no members,
    naming where they went (``homes``), so that it supersedes what was published of it."""
    where = f"now in {', '.join(homes)}" if homes else "placed again"
    return doc.model_copy(
        update={
            "state": st.RESOLVED,
            "summary": f"Withdrawn: its events were placed again in event-time order ({where})",
            "related_events": [],
            "chain": [],
            "evidence": [],
            "impact": Impact(),
            "trace_ids": [],
        }
    )
