"""Change detection: the diff of two fragments is the list of change events."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingest.changes import deleted, diff, fragment
from model.event import Category, SourceKind


def _dep(image: str, rv: str, env: str = "1") -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop", "uid": "d1", "resourceVersion": rv},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "image": image,
                            "env": [{"name": "WORKERS", "value": env}, {"name": "DB_PASSWORD", "value": env}],
                        }
                    ]
                }
            }
        },
    }


def test_image_change_before_after() -> None:
    old = fragment(_dep("app:v1.4.2", "1"), "prod")
    new = fragment(_dep("app:v1.5.0", "2"), "prod", observed_at_ms=5)
    assert old and new
    (ev,) = diff(old, new)
    assert ev.id == "d1@2" and ev.reason == "ImageChanged" and ev.category is Category.ROLLOUT
    assert ev.source_kind is SourceKind.CHANGE and ev.ts == 5
    assert ev.detail["image"] == {"before": "app:v1.4.2", "after": "app:v1.5.0"} and ev.detail["container"] == "api"
    assert "v1.4.2 -> app:v1.5.0" in ev.message


def test_env_change_is_template_change_and_hides_secret_like_names() -> None:
    (ev,) = diff(fragment(_dep("a", "1", env="4"), "p"), fragment(_dep("a", "2", env="8"), "p"))  # type: ignore[arg-type]
    assert ev.reason == "TemplateChanged"
    assert ev.detail["env"] == {"DB_PASSWORD": "changed", "WORKERS": {"before": "4", "after": "8"}}


def test_same_version_or_first_sight_is_no_event() -> None:
    f = fragment(_dep("a", "1"), "p")
    assert f and diff(None, f) == [] and diff(f, f) == []


def test_configmap_keys_changed() -> None:
    cm: dict[str, Any] = {
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "n", "uid": "c1", "resourceVersion": "1"},
        "data": {"a": "1", "b": "2"},
    }
    cm2 = copy.deepcopy(cm)
    cm2["metadata"]["resourceVersion"] = "2"
    cm2["data"] = {"a": "1", "b": "3", "c": "x"}
    (ev,) = diff(fragment(cm, "p"), fragment(cm2, "p"))  # type: ignore[arg-type]
    assert ev.reason == "ConfigMapChanged" and ev.detail == {"keys": ["b", "c"]} and ev.id == "c1@2"


def test_secret_change_says_that_not_what() -> None:
    s: dict[str, Any] = {
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "n", "uid": "s1", "resourceVersion": "1"},
        "data": {"password": "b2xkLXNlY3JldA=="},
    }
    s2 = copy.deepcopy(s)
    s2["metadata"]["resourceVersion"] = "2"
    s2["data"]["password"] = "bmV3LXNlY3JldA=="
    f1, f2 = fragment(s, "p"), fragment(s2, "p")
    assert f1 and f2 and "b2xkLXNlY3JldA==" not in repr(f1)
    (ev,) = diff(f1, f2)
    assert ev.reason == "SecretChanged" and ev.category is Category.CONFIG
    assert "bmV3" not in repr(ev) and "new-secret" not in repr(ev) and ev.detail == {"keys": ["password"]}


@pytest.mark.parametrize(
    ("before", "after", "reasons"),
    [
        ({}, {}, ["SecretChanged"]),  # a metadata-only watch: a new version is all a change shows
        ({"data": {"k": "djE="}}, {"data": {"k": "djE="}}, []),  # data shown and the same: labels, annotations
        ({"data": {"k": "djE="}}, {}, ["SecretChanged"]),  # what was shown is gone: its keys changed
    ],
)
def test_secret_change_with_data_withheld(before: dict[str, Any], after: dict[str, Any], reasons: list[str]) -> None:
    s: dict[str, Any] = {
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "n", "uid": "s1", "resourceVersion": "1"},
    }
    f1 = fragment({**s, **before}, "p")
    f2 = fragment({**s, "metadata": {**s["metadata"], "resourceVersion": "2"}, **after}, "p")
    assert f1 and f2
    assert [e.reason for e in diff(f1, f2)] == reasons
    assert diff(f1, f1) == []  # the same version again is no change
    if not before and not after:
        (ev,) = diff(f1, f2)
        assert ev.detail == {"keys": [], "data_shown": False} and "not shown" in ev.message


def test_a_configmap_without_data_or_a_secret_without_versions_is_no_change() -> None:
    """An empty ConfigMap (the API leaves ``data`` out) or a leader-election lock rewriting its annotations is no
    change; a Secret seen without versions says nothing either; a fragment kept before ``shown`` counts as shown."""
    cm: dict[str, Any] = {
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "n", "uid": "c1", "resourceVersion": "1"},
    }
    f1 = fragment(cm, "p")
    f2 = fragment({**cm, "metadata": {**cm["metadata"], "resourceVersion": "2"}}, "p")
    assert f1 and f2 and diff(f1, f2) == []
    sec: dict[str, Any] = {"kind": "Secret", "metadata": {"name": "s", "namespace": "n", "uid": "s1"}}
    g = fragment(sec, "p")
    assert g and diff(g, g) == []  # no resourceVersion at all: the same object seen again
    h1 = fragment({**sec, "metadata": {**sec["metadata"], "resourceVersion": "1"}}, "p")
    h2 = fragment({**sec, "metadata": {**sec["metadata"], "resourceVersion": "2"}}, "p")
    assert h1 and h2 and [e.reason for e in diff(h1, h2)] == ["SecretChanged"]
    old = {k: v for k, v in h1.items() if k != "shown"}  # kept by an earlier version: its data counts as shown
    assert diff(old, h2) == []


def _node(ready: str, since: str, rv: str) -> dict[str, Any]:
    return {
        "kind": "Node",
        "metadata": {"name": "n1", "uid": "n1u", "resourceVersion": rv},
        "status": {
            "conditions": [
                {"type": "Ready", "status": ready, "lastTransitionTime": since},
                {"type": "MemoryPressure", "status": "False", "lastTransitionTime": since},
            ]
        },
    }


def test_node_not_ready_then_ready() -> None:
    up = fragment(_node("True", "2026-01-01T00:00:00Z", "1"), "p")
    down = fragment(_node("False", "2026-01-01T00:05:00Z", "2"), "p")
    assert up and down and diff(None, up) == []
    (ev,) = diff(up, down)
    assert ev.reason == "NodeNotReady" and ev.severity == "high" and ev.ts == 1_767_225_900_000
    assert ev.detail == {"condition": "Ready", "before": "True", "after": "False"} and ev.node_name == "n1"
    (back,) = diff(down, fragment(_node("True", "2026-01-01T00:09:00Z", "3"), "p"))  # type: ignore[arg-type]
    assert back.reason == "NodeReady" and back.type == "Normal"
    assert [e.reason for e in diff(None, down)] == ["NodeNotReady"]  # a bad state on first sight is a fact
    assert ev.id == "n1u@2"  # the version that showed it (DESIGN §4)
    assert diff(None, down)[0].id == "n1u@Ready=False:1767225900000"  # first sight: no version showed it, the fact


def test_two_facts_of_one_version_have_two_ids() -> None:
    up = fragment(_node("True", "2026-01-01T00:00:00Z", "1"), "p")
    both = _node("False", "2026-01-01T00:05:00Z", "2")
    both["status"]["conditions"][1].update(status="True", lastTransitionTime="2026-01-01T00:05:00Z")
    assert up
    events = diff(up, fragment(both, "p"))  # type: ignore[arg-type]
    assert [e.reason for e in events] == ["NodeNotReady", "NodeMemoryPressure"]
    # each named by the version and the fact: whichever versions an observer saw, no two facts share an id
    assert [e.id for e in events] == ["n1u@2/Ready=False:1767225900000", "n1u@2/MemoryPressure=True:1767225900000"]


def _pod(finished: str | None) -> dict[str, Any]:
    status: dict[str, Any] = {"containerStatuses": [{"name": "api", "restartCount": 1}]}
    if finished:
        status["containerStatuses"][0]["lastState"] = {
            "terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": finished}
        }
    return {
        "kind": "Pod",
        "metadata": {
            "name": "p",
            "namespace": "n",
            "uid": "p1",
            "resourceVersion": "9",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "rs", "uid": "r"}],
        },
        "spec": {"nodeName": "n1", "containers": [{"name": "api", "resources": {"limits": {"memory": "256Mi"}}}]},
        "status": status,
    }


def test_oom_killed_once_per_termination() -> None:
    f0, f1 = fragment(_pod(None), "p"), fragment(_pod("2026-01-01T00:01:00Z"), "p")
    assert f0 and f1 and diff(None, f0) == []
    (ev,) = diff(f0, f1)
    assert ev.reason == "OOMKilled" and ev.category is Category.RESOURCE_EXHAUSTION and ev.severity == "high"
    assert ev.detail == {"container": "api", "exit_code": 137, "limits_memory": 256 * 2**20}
    assert ev.workload_kind == "ReplicaSet" and ev.node_name == "n1" and ev.ts == 1_767_225_660_000
    assert ev.id == "p1@9" and diff(f1, f1) == []
    assert [e.id for e in diff(None, f1)] == ["p1@OOMKilled:api:1767225660000"]


def _waiting(reason: str | None, rv: str) -> dict[str, Any]:
    pod = _pod(None)
    pod["metadata"]["resourceVersion"] = rv
    if reason:
        pod["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": reason, "message": "back-off 5m0s"}}
    return pod


def test_a_container_beginning_to_wait_for_a_failure_is_an_event() -> None:
    f1 = fragment(_waiting(None, "10"), "p")
    f2 = fragment(_waiting("CrashLoopBackOff", "11"), "p", observed_at_ms=5_000)
    f3 = fragment(_waiting("CrashLoopBackOff", "12"), "p", observed_at_ms=6_000)
    f4 = fragment(_waiting("ContainerCreating", "13"), "p", observed_at_ms=7_000)  # waiting, but no failure
    assert f1 and f2 and f3 and f4
    (ev,) = diff(f1, f2)
    assert (ev.id, ev.reason, ev.category, ev.type, ev.ts) == (
        "p1@11",
        "CrashLoopBackOff",
        Category.CRASH,
        "Warning",
        5_000,
    )
    assert "back-off 5m0s" in ev.message and ev.detail == {"container": "api"}
    assert ev.source_kind == SourceKind.K8S_EVENT  # the kubelet's symptom, as its BackOff Event: no change's prior
    assert diff(f2, f3) == [] and diff(f3, f4) == []  # still waiting for it; waiting to start is no failure
    pulled = fragment(_waiting("ImagePullBackOff", "14"), "p", observed_at_ms=8_000)
    assert pulled and [e.category for e in diff(f4, pulled)] == [Category.IMAGE]
    assert diff(None, f2) == []  # first sight (a list, every restart of a watch): crash-looping since long ago


def test_an_oom_kill_and_the_crash_loop_it_starts_in_one_version_have_two_ids() -> None:
    before = fragment(_waiting(None, "20"), "p", observed_at_ms=1_000)
    after = _waiting("CrashLoopBackOff", "21")
    after["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2026-01-01T00:01:00Z"}
    }
    now = fragment(after, "p", observed_at_ms=2_000)
    assert before and now
    assert [(e.reason, e.id) for e in diff(before, now)] == [
        ("OOMKilled", "p1@21/OOMKilled:api:1767225660000"),
        ("CrashLoopBackOff", "p1@21/CrashLoopBackOff:api:2000"),
    ]


def test_a_pod_put_out_by_its_node_is_an_event() -> None:
    running = fragment(_waiting(None, "30"), "p", observed_at_ms=1_000)
    evicted = _waiting(None, "31")
    evicted["status"].update(phase="Failed", reason="Evicted", message="The node was low on resource: memory.")
    out = fragment(evicted, "p", observed_at_ms=3_000)
    assert running and out
    (ev,) = diff(running, out)
    assert (ev.id, ev.reason, ev.ts, ev.source_kind) == ("p1@31", "Evicted", 3_000, SourceKind.K8S_EVENT)
    assert "low on resource: memory" in ev.message and ev.category is Category.RESOURCE_EXHAUSTION
    assert diff(out, out) == []


def test_pod_deleted() -> None:
    f = fragment(_pod(None), "p")
    assert f
    (ev,) = deleted(f, 42)
    assert ev.reason == "PodDeleted" and ev.ts == 42 and ev.id == "p1@9" and "n1" in ev.message
