"""The input limits: nesting, identity fields refused (never cut or cleaned), free text made valid, future times."""

from __future__ import annotations

import json
from types import MappingProxyType

import pytest

from ingest.limits import (
    MAX_DEPTH,
    MAX_ID,
    RejectedInput,
    check_depth,
    check_not_future,
    clean_tree,
    identity,
    load_json,
    text,
)


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_nesting_past_the_parser_and_past_the_limit_are_refused_by_name() -> None:
    with pytest.raises(RejectedInput, match=f"nesting: deeper than {MAX_DEPTH} levels"):
        load_json(_nested(10_000))
    with pytest.raises(RejectedInput, match="nesting"):
        load_json(_nested(MAX_DEPTH + 1))
    assert load_json(_nested(MAX_DEPTH)) == json.loads(_nested(MAX_DEPTH))
    check_depth({"a": {"b": [1, {"c": 2}]}})
    # any mapping or sequence counts, not only what JSON decodes to
    deep: object = 1
    for i in range(MAX_DEPTH + 1):
        deep = MappingProxyType({"x": deep}) if i % 3 == 0 else ((deep,) if i % 3 == 1 else [deep])
    with pytest.raises(RejectedInput, match="nesting"):
        check_depth(deep)


def test_load_json_names_what_is_wrong() -> None:
    with pytest.raises(RejectedInput, match="not UTF-8"):
        load_json(b"\xff\xfe")
    with pytest.raises(RejectedInput, match="not JSON"):
        load_json(b"{x")


def test_identity_is_taken_as_it_is_or_refused_naming_the_field() -> None:
    assert identity("pod-1", "id") == "pod-1"
    assert identity(42, "id") == "42"
    assert identity(None, "id") == ""
    assert identity("é" * MAX_ID, "id") == "é" * MAX_ID
    with pytest.raises(RejectedInput, match=f"^id: {MAX_ID + 1} characters, more than the {MAX_ID}"):
        identity("x" * (MAX_ID + 1), "id")
    with pytest.raises(RejectedInput, match=r"^metadata\.name: not valid Unicode \(a lone surrogate\)"):
        identity("coll\ud800x", "metadata.name")
    with pytest.raises(RejectedInput, match=r"^k8s_context\.namespace: expected a string, got an array"):
        identity(["x"], "k8s_context.namespace")
    with pytest.raises(RejectedInput, match="expected a string, got a boolean"):
        identity(True, "uid")
    with pytest.raises(RejectedInput, match="NUL"):
        identity("a\x00b", "uid")


def test_free_text_becomes_valid_unicode_and_bounded() -> None:
    assert text("ok \ud800 and \udfff", 100) == "ok \ufffd and \ufffd"
    assert text("a\x00b", 100) == "ab"
    assert text("é" * 10, 4) == "éééé"
    assert text("😀", 10) == "😀"
    cleaned = clean_tree({"labels": {"k\udc00": ["v\ud800"]}, "n": 1})
    assert cleaned == {"labels": {"k\ufffd": ["v\ufffd"]}, "n": 1}
    json.dumps(cleaned).encode("utf-8")


def test_a_time_too_far_after_its_arrival_is_refused() -> None:
    arrival = 1_800_000_000_000
    check_not_future(arrival + 60_000, arrival, 300_000, "timestamp")
    check_not_future(0, arrival, 300_000, "timestamp")  # history is taken
    with pytest.raises(RejectedInput, match=r"^timestamp: \d+ s after its arrival; at most 300 s"):
        check_not_future(253_402_300_799_000, arrival, 300_000, "timestamp")
