"""Reason -> category and severity, kept as data in ``ingest/reasons.json``.

The Kubernetes event type (Normal/Warning) is a poor signal: NodeNotReady, Preempted and image-pull BackOff
arrive as Normal. So the reason (and, for reasons reused for several things, a message substring) decides the
category and the severity; the type is only the fallback for a reason the table does not know.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from model.event import SEVERITY_RANK, Category


@dataclass(frozen=True)
class Classification:
    """What a reason means."""

    category: Category
    severity: str
    known: bool = True


@dataclass(frozen=True)
class _Rule:
    needles: tuple[str, ...]  # lower-cased
    result: Classification


@dataclass(frozen=True)
class _Entry:
    base: Classification
    rules: tuple[_Rule, ...]


class ReasonTable:
    """The loaded table; ``classify`` is pure and cheap (dict lookups, a few substring tests)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self._exact: dict[str, _Entry] = {}
        self._folded: dict[str, _Entry] = {}
        for reason, spec in doc["reasons"].items():
            entry = _Entry(
                _classification(spec, reason),
                tuple(
                    _Rule(tuple(n.lower() for n in w["message_contains"]), _classification(w, reason))
                    for w in spec.get("when", ())
                ),
            )
            self._exact[reason] = entry
            self._folded.setdefault(reason.lower(), entry)
        defaults = doc["defaults"]
        self._normal = _classification(defaults["Normal"], "defaults.Normal", known=False)
        self._warning = _classification(defaults["Warning"], "defaults.Warning", known=False)

    def __contains__(self, reason: str) -> bool:
        return reason in self._exact or reason.lower() in self._folded

    def __len__(self) -> int:
        return len(self._exact)

    def lookup(self, reason: str, message: str = "") -> Classification | None:
        """The classification of a known reason (its message rules applied), else None."""
        entry = self._exact.get(reason) or self._folded.get(reason.lower())
        if entry is None:
            return None
        if entry.rules and message:
            low = message.lower()
            for rule in entry.rules:
                if any(n in low for n in rule.needles):
                    return rule.result
        return entry.base

    def classify(self, reason: str, message: str = "", event_type: str = "") -> Classification:
        """Known reason -> its entry; unknown -> informational, with a severity from the event type."""
        found = self.lookup(reason, message)
        if found is not None:
            return found
        return self._warning if event_type == "Warning" else self._normal


def _classification(spec: dict[str, Any], where: str, *, known: bool = True) -> Classification:
    severity = spec["severity"]
    if severity not in SEVERITY_RANK:
        raise ValueError(f"ingest/reasons.json: {where}: unknown severity {severity!r}")
    return Classification(Category(spec["category"]), severity, known)


@cache
def table() -> ReasonTable:
    """The packaged table, loaded once."""
    text = resources.files("ingest").joinpath("reasons.json").read_text("utf-8")
    return ReasonTable(json.loads(text))
