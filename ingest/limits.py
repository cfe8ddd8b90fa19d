"""The explicit limits on input (DESIGN §4), and the checks every source shares. Pure: no I/O, no clock.

nesting      at most MAX_DEPTH levels of objects and arrays in one message or item
identity     ids, uids, Kubernetes names and namespaces, kinds, trace ids: a string (or an integer), valid
             Unicode (no lone surrogate), no NUL, at most MAX_ID characters; anything else refuses the input
             with the field named, never cut or cleaned into another identity
free text    messages, reasons, labels: made valid Unicode (a lone surrogate becomes U+FFFD, NUL is
             dropped) and cut to MAX_TEXT / MAX_MESSAGE characters
time         an event more than ``max_future_ms`` after its arrival is refused (``future``): it would move
             the event clock; past times are history and are taken

RejectedInput(ValueError)   the input is not one we store; ``str()`` names the field and why
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 64
MAX_ID = 512
MAX_TEXT = 512
MAX_MESSAGE = 4096
MAX_FUTURE_MS = 5 * 60_000
_SURROGATE = re.compile("[\ud800-\udfff]")


class RejectedInput(ValueError):
    """The input is not an event we can store; the message names the field (``metadata.uid: missing``)."""


def load_json(data: bytes | str) -> Any:
    """Parse JSON within the nesting limit; ``RejectedInput`` naming the problem otherwise."""
    try:
        raw = data.decode("utf-8") if isinstance(data, bytes) else data
        obj = json.loads(raw)
    except RecursionError:
        raise RejectedInput(f"nesting: deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise RejectedInput(f"payload is not UTF-8: {exc.reason} at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise RejectedInput(f"payload is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if raw.count("{") + raw.count("[") > MAX_DEPTH:  # fewer brackets than that cannot nest deeper
        check_depth(obj)
    return obj


def check_depth(obj: Any, limit: int = MAX_DEPTH) -> None:
    """``RejectedInput`` when ``obj`` nests objects/arrays deeper than ``limit`` (iterative: no recursion).
    Decoded JSON holds only dicts and lists: those are tested by exact type first, the ABCs only for the rest
    (an ABC check costs ten times more, and this runs on every message)."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        if kind is dict or (kind is not list and isinstance(value, Mapping)):
            children: Any = value.values()
        elif kind is list or isinstance(value, tuple):
            children = value
        else:
            continue
        if depth > limit:
            raise RejectedInput(f"nesting: deeper than {limit} levels")
        for child in children:  # inline: a call per value costs more than the test
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is str or kind is int or kind is float or kind is bool or child is None:
                continue
            elif isinstance(child, Mapping | list | tuple):
                stack.append((child, depth + 1))


def is_valid_unicode(s: str) -> bool:
    """True when ``s`` encodes as UTF-8 (no lone surrogate)."""
    if s.isascii():
        return True
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def identity(value: Any, field: str, limit: int = MAX_ID) -> str:
    """An identity field as it is, or ``RejectedInput`` naming ``field``; None and "" are ""."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RejectedInput(f"{field}: expected a string, got {_type_name(value)}")
    if len(value) > limit:
        raise RejectedInput(f"{field}: {len(value)} characters, more than the {limit} an identity may have")
    if not is_valid_unicode(value):
        raise RejectedInput(f"{field}: not valid Unicode (a lone surrogate)")
    if "\x00" in value:
        raise RejectedInput(f"{field}: contains a NUL character")
    return value


def text(s: str, limit: int = MAX_TEXT) -> str:
    """Free text made storable: valid Unicode (lone surrogates -> U+FFFD), no NUL, at most ``limit`` characters."""
    if not s.isascii() and not is_valid_unicode(s):
        s = _SURROGATE.sub("\ufffd", s)
    if "\x00" in s:
        s = s.replace("\x00", "")
    return s[:limit]


def clean_tree(value: Any) -> Any:
    """Every string (keys too) of a JSON-like value made valid Unicode; the structure is kept.

    For what a loader reads beyond the identity fields (labels, images, selectors): a lone surrogate there is
    free text, and the graph could not store it."""
    if isinstance(value, str):
        return value if value.isascii() or is_valid_unicode(value) else text(value, len(value))
    if isinstance(value, Mapping):
        return {clean_tree(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_tree(v) for v in value]
    return value


def check_not_future(ms: int, arrival_ms: int, max_future_ms: int, field: str) -> None:
    """``RejectedInput`` when ``ms`` is more than ``max_future_ms`` after ``arrival_ms``."""
    if arrival_ms > 0 and ms > arrival_ms + max_future_ms:
        ahead_s = (ms - arrival_ms) // 1000
        raise RejectedInput(
            f"{field}: {ahead_s} s after its arrival; at most {max_future_ms // 1000} s ahead is taken "
            "(a clock that far ahead would move the event clock)"
        )


def _type_name(value: Any) -> str:
    return {list: "an array", dict: "an object", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
