"""What an input line is, before it is read (pure): which of the three inputs of DESIGN §4, wrapped or listed as
kubectl writes them. ``ingest.pipeline`` and the scenario generators' checks ask it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ingest.limits import RejectedInput

LineKind = Literal["k8s_event", "watched_event", "list", "unified", "change"]
CHANGE_TYPES = ("ADDED", "MODIFIED", "DELETED")


def classify_line(obj: Any) -> LineKind:
    """Which parser an input object needs; ``RejectedInput`` for something that is none of them. A watch change of
    an Event (``kubectl get events --watch -o json``, a recorder of the Event API) is that Event
    (``watched_event``); a ``List`` (``kubectl get events -o json``) is its items (``list``)."""
    if not isinstance(obj, Mapping):
        raise RejectedInput(f"expected a JSON object, got {type(obj).__name__}")
    if obj.get("type") in CHANGE_TYPES and isinstance(obj.get("object"), Mapping):
        return "watched_event" if _is_k8s_event(obj["object"]) else "change"
    if _is_k8s_event(obj):
        return "k8s_event"
    if str(obj.get("kind", "")).endswith("List") and isinstance(obj.get("items"), list):
        return "list"
    if "id" in obj:
        return "unified"
    raise RejectedInput(
        "not a Kubernetes Event (kind/involvedObject/regarding), a UnifiedEvent (id), "
        "a watch change (type ADDED|MODIFIED|DELETED with object) or a List of them (kind ...List, items)"
    )


def _is_k8s_event(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "Event" or "involvedObject" in obj or "regarding" in obj
