"""What an input line is: the three inputs of DESIGN §4, an Event wrapped in a watch change, a List of them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.limits import RejectedInput
from ingest.lines import classify_line

V1_EVENT: dict[str, Any] = {"kind": "Event", "metadata": {"uid": "e1"}, "involvedObject": {"kind": "Pod", "name": "a"}}
NEW_EVENT: dict[str, Any] = {"apiVersion": "events.k8s.io/v1", "regarding": {"kind": "Pod", "name": "a"}}
UNIFIED: dict[str, Any] = {"id": "u1", "timestamp": "2026-01-01T00:00:00Z"}


def test_classify_line() -> None:
    assert classify_line(V1_EVENT) == "k8s_event"
    assert classify_line(NEW_EVENT) == "k8s_event"
    assert classify_line(UNIFIED) == "unified"
    assert classify_line({"type": "MODIFIED", "object": {"kind": "Pod"}, "observed_at": "x"}) == "change"
    assert classify_line({"type": "ADDED", "object": V1_EVENT}) == "watched_event"  # kubectl get events --watch
    assert classify_line({"type": "DELETED", "object": NEW_EVENT}) == "watched_event"
    assert classify_line({"kind": "EventList", "items": [V1_EVENT]}) == "list"  # kubectl get events -o json
    with pytest.raises(RejectedInput, match="not a Kubernetes Event"):
        classify_line({"hello": 1})
    with pytest.raises(RejectedInput, match="not a Kubernetes Event"):
        classify_line({"kind": "PodList", "items": "not a list"})
    with pytest.raises(RejectedInput, match="expected a JSON object"):
        classify_line([1, 2])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["kind", "type", "object", "items", "id", "regarding", "involvedObject"]), inner
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_line_classifies_or_is_rejected(obj: Any) -> None:
    try:
        kind = classify_line(obj)
    except RejectedInput as exc:
        assert str(exc)
        return
    assert kind in ("k8s_event", "watched_event", "list", "unified", "change")
