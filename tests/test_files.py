"""Reading kubectl output: Lists, single objects, multi-document YAML, folders; problems with file and position."""

from __future__ import annotations

from pathlib import Path

from ingest.files import FileContent, FileProblem, read_file, read_paths

DATA = Path(__file__).resolve().parents[1] / "data"


def test_typed_list_items_get_their_kind() -> None:
    content = read_file(DATA / "k8s-json" / "nri-kubernetes-1_35" / "kubelet-pods.json")
    assert content.problems == [] and content.objects and all(o["kind"] == "Pod" for o in content.objects)


def test_generic_list_and_single_object() -> None:
    assert [o["kind"] for o in read_file(DATA / "k8s-json" / "list-pods.kubectl-neat.json").objects] == ["Pod", "Pod"]
    assert [o["kind"] for o in read_file(DATA / "k8s-json" / "replicaset.k9s.json").objects] == ["ReplicaSet"]


def test_multi_document_yaml_with_a_bad_document_keeps_the_others(tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
        "---\n"
        "kind: Secret\nmetadata:\n  name: b\n data: {password: c2VjcmV0LXZhbHVl}\n"  # bad indentation
        "---\n"
        "kind: Service\nmetadata: {name: c}\n"
    )
    content = read_file(f)
    assert [o["kind"] for o in content.objects] == ["ConfigMap", "Service"]
    (problem,) = content.problems
    assert problem.path == str(f) and problem.position.startswith("8:")
    assert "c2VjcmV0" not in str(problem) and "invalid YAML" in problem.message


def test_bad_json_position(tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    f.write_text('{"kind": "Pod",\n  "metadata": {"name": "x",}\n}')
    (problem,) = read_file(f).problems
    assert problem.position == "2:28" and "invalid JSON" in problem.message


def test_folders_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yml").write_text("kind: Namespace\nmetadata: {name: a}\n")
    (tmp_path / "notes.txt").write_text("ignored")
    items = list(read_paths([tmp_path, tmp_path / "nope.yaml"]))
    problems = [i for i in items if isinstance(i, FileProblem)]
    contents = [i for i in items if isinstance(i, FileContent)]
    assert [p.message for p in problems] == ["no such file or folder"]
    assert [c.path.name for c in contents] == ["a.yml"] and contents[0].objects[0]["kind"] == "Namespace"


def test_every_topology_manifest_parses() -> None:
    files = sorted((DATA / "topologies").glob("*.yaml"))
    assert len(files) >= 7, f"the sample topologies are missing from {DATA / 'topologies'}"
    for f in files:
        content = read_file(f)
        assert content.problems == [], f
        assert len(content.objects) > 5


def test_nesting_past_the_parser_is_a_problem_of_that_file_or_document(tmp_path: Path) -> None:
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"kind": "Namespace", "x": ' + "[" * 10_000 + "]" * 10_000 + "}")
    got = read_file(deep_json)
    assert got.objects == [] and [(p.position, p.message) for p in got.problems] == [
        ("1:1", "invalid JSON: nested deeper than the parser takes")
    ]
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("kind: Namespace\nmetadata: {name: a}\n---\nx: " + "[" * 10_000 + "]" * 10_000 + "\n")
    got = read_file(deep_yaml)
    assert [o["metadata"]["name"] for o in got.objects] == ["a"]
    assert len(got.problems) == 1 and "nesting depth" in got.problems[0].message  # PyYAML's own limit
