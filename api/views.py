"""Pure shaping of what the graph returns into what the API answers: no I/O, tested on plain data.

Times in, cursors, the timeline, the incident graph and a resource's neighbourhood are built here, so routes
stay one call to the store and one call to a function of this module.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from model.times import TimeError, bounded, parse_rfc3339

# Properties that never leave the API even if some loader stored them (Secret and ConfigMap values).
FORBIDDEN_PROPS = frozenset({"data", "stringData", "string_data", "binaryData", "binary_data", "values", "value"})


_EPOCH_MS = re.compile(r"-?[0-9]{1,15}", re.ASCII)


class BadInput(ValueError):
    """A query parameter that cannot be understood; the message names it."""


def parse_time(value: str | None, name: str) -> int | None:
    """Epoch milliseconds from ``value``: an integer (epoch ms) or an RFC3339 time; None stays None."""
    if value is None or value == "":
        return None
    text = value.strip()
    if _EPOCH_MS.fullmatch(text):
        ms = int(text)
    elif text.lstrip("-").isdigit():  # more digits than any time has, or digits that are not 0-9 ("²")
        raise BadInput(f"{name}: expected epoch milliseconds (at most 15 digits 0-9) or an RFC3339 time")
    else:
        try:
            return parse_rfc3339(text, name)
        except TimeError as exc:
            raise BadInput(f"{exc} (or epoch milliseconds)") from None
    try:
        return bounded(ms, name)
    except TimeError as exc:
        raise BadInput(str(exc)) from None


def time_range(since: int | None, until: int | None, now_ms: int, max_range_ms: int) -> tuple[int, int]:
    """The bounded window a list query covers: default the last ``max_range_ms`` up to now."""
    end = until if until is not None else now_ms
    start = since if since is not None else end - max_range_ms
    if start > end:
        raise BadInput("since: must not be after until")
    if end - start > max_range_ms:
        raise BadInput(f"since/until: the range may span at most {max_range_ms // 86_400_000} days")
    return start, end


def encode_cursor(last_seen: int, ident: str) -> str:
    raw = json.dumps([last_seen, ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int | None, str | None]:
    """(last_seen, id) of the last row of the previous page; (None, None) for the first page."""
    if not cursor:
        return None, None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ts, ident = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadInput("cursor: not a cursor this API returned") from None
    if not isinstance(ts, int) or isinstance(ts, bool) or not isinstance(ident, str):
        raise BadInput("cursor: not a cursor this API returned")
    if not _valid_unicode(ident) or "\x00" in ident or not -(2**62) < ts < 2**62:
        raise BadInput("cursor: not a cursor this API returned")
    return ts, ident


def _valid_unicode(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """A node's properties as the API shows them: no labels bookkeeping, never a secret value."""
    return {k: v for k, v in props.items() if not k.startswith("_") and k not in FORBIDDEN_PROPS}


def resource_summary(props: Mapping[str, Any]) -> dict[str, Any]:
    """The few fields that name a resource in a picture."""
    return {
        "id": str(props.get("uid", "")),
        "kind": str(props.get("kind", "")),
        "namespace": str(props.get("namespace") or ""),
        "name": str(props.get("name", "")),
        "key": str(props.get("key", "")),
        "deleted": props.get("deleted_at") is not None,
    }


def timeline(rows: Iterable[Mapping[str, Any]], root_event_id: str | None) -> list[dict[str, Any]]:
    """One entry per event in time order, the root marked, with the role/link it joined by."""
    by_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        ident = str(row["id"])
        entry = by_id.get(ident)
        if entry is None:
            entry = {
                "id": ident,
                "ts": int(row.get("ts") or 0),
                "last_ts": int(row.get("last_ts") or row.get("ts") or 0),
                "reason": row.get("reason") or "",
                "type": row.get("type") or "",
                "severity": row.get("severity") or "",
                "category": row.get("category") or "",
                "source": row.get("source") or "",
                "message": row.get("message") or "",
                "count": int(row.get("count") or 1),
                "trace_id": row.get("trace_id") or "",
                "role": "",
                "link": "",
                "weight": None,
                "root": ident == (root_event_id or row.get("root_event_id")),
                "resource": {
                    "kind": row.get("kind") or "",
                    "namespace": row.get("namespace") or "",
                    "name": row.get("name") or "",
                    "key": row.get("resource_key") or "",
                    "uid": row.get("resource_uid") or "",
                },
            }
            by_id[ident] = entry
        if row.get("rel") == "ROOT_CAUSE":
            entry["root"] = True
        if row.get("rel") == "INCLUDES":
            entry["role"] = row.get("role") or entry["role"]
            entry["link"] = row.get("link") or entry["link"]
            if row.get("weight") is not None:
                entry["weight"] = float(row["weight"])
    for entry in by_id.values():
        if entry["root"] and not entry["role"]:
            entry["role"] = "root"
    return sorted(by_id.values(), key=lambda e: (e["ts"], e["id"]))


def incident_graph(
    events: list[dict[str, Any]],
    about: Iterable[Mapping[str, Any]],
    impacted: Iterable[Mapping[str, Any]],
    context: Iterable[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    chain: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Nodes (resources and events) and edges (topology, ABOUT, the causal chain) of one incident."""
    nodes: dict[str, dict[str, Any]] = {}

    def add_resource(props: Mapping[str, Any], role: str) -> None:
        uid = str(props.get("uid", ""))
        if not uid:
            return
        node = nodes.get(uid)
        if node is None:
            node = {**resource_summary(props), "type": "resource", "roles": []}
            nodes[uid] = node
        if role not in node["roles"]:
            node["roles"].append(role)

    for r in about:
        add_resource(r, "involved")
    for r in impacted:
        add_resource(r, "impacted")
    for r in context:
        add_resource(r, "context")
    out_edges: list[dict[str, Any]] = []
    seen_edges: set[tuple[str, str, str]] = set()
    for e in edges:
        key = (str(e["source"]), str(e["type"]), str(e["target"]))
        if key[0] in nodes and key[2] in nodes and key not in seen_edges:
            seen_edges.add(key)
            out_edges.append({"source": key[0], "target": key[2], "type": key[1]})
    for ev in events:
        ev_id = "event:" + ev["id"]
        nodes[ev_id] = {
            "id": ev_id,
            "type": "event",
            "kind": "Event",
            "name": ev["reason"],
            "namespace": ev["resource"]["namespace"],
            "key": ev["id"],
            "deleted": False,
            "roles": ["root"] if ev["root"] else [],
            "ts": ev["ts"],
            "severity": ev["severity"],
        }
        uid = ev["resource"]["uid"]
        if uid and uid in nodes:
            out_edges.append({"source": ev_id, "target": uid, "type": "ABOUT"})
    ids = [str(c.get("event_id", "")) for c in chain]
    for a, b in itertools.pairwise(ids):
        if "event:" + a in nodes and "event:" + b in nodes:
            out_edges.append({"source": "event:" + a, "target": "event:" + b, "type": "CHAIN"})
    return {"nodes": list(nodes.values()), "edges": out_edges}


def neighbourhood(
    start: Mapping[str, Any], hops: Sequence[Sequence[Mapping[str, Any]]], max_nodes: int
) -> dict[str, Any]:
    """Nodes and directed edges found by breadth-first hops (``hops[i]`` = rows of hop i+1), at most ``max_nodes``."""
    root = resource_summary(start)
    nodes: dict[str, dict[str, Any]] = {root["id"]: {**root, "depth": 0}}
    edges: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    truncated = False
    for depth, rows in enumerate(hops, start=1):
        for row in rows:
            other = resource_summary(row["node"])
            if other["id"] not in nodes:
                if len(nodes) >= max_nodes:
                    truncated = True
                    continue
                nodes[other["id"]] = {**other, "depth": depth}
            a, b = (row["from_uid"], other["id"]) if row["outgoing"] else (other["id"], row["from_uid"])
            key = (str(a), str(row["type"]), str(b))
            if key not in seen:
                seen.add(key)
                edges.append({"source": key[0], "target": key[2], "type": key[1]})
    return {"nodes": list(nodes.values()), "edges": edges, "truncated": truncated}


def frontier(result: Mapping[str, Any], depth: int) -> list[str]:
    """The uids found at ``depth`` (the next hop starts from them)."""
    return [n["id"] for n in result["nodes"] if n["depth"] == depth]
