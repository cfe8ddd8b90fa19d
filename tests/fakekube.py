"""A fake Kubernetes API server, faithful to what a list/watch client relies on.

A real HTTP server (``ThreadingHTTPServer`` in a thread, on a free port) serving the kinds of ``model.kinds``:

- list (cluster-wide ``ApiKind.list_path`` or ``/api/v1/namespaces/{ns}/pods``) with ``limit``/``continue``;
  every page is read at the resourceVersion of the first page (a snapshot, as etcd does), and the list carries
  ``metadata.resourceVersion``, ``continue`` and ``remainingItemCount``; items carry no kind/apiVersion;
- get of one object (``.../pods/{name}``);
- ``watch=1`` with ``resourceVersion`` (replays only the changes after it; unset or "0": synthetic ADDED of the
  current state first), ``allowWatchBookmarks``, ``timeoutSeconds``, as chunked newline-delimited JSON,
  one chunk per event like the real server;
- ``labelSelector`` (``a=b``, ``a==b``, ``a!=b``, ``a``, ``!a``, ``a in (x,y)``, ``a notin (x,y)``) and
  ``fieldSelector`` on ``metadata.name`` / ``metadata.namespace``;
- one global resourceVersion counter; ``compact()`` makes older versions 410 Gone: a watch from before it gets an
  ERROR event with a ``Status`` of code 410 (and open watches too, by default), a list with an older continue
  token gets HTTP 410;
- faults: ``forbid(kind)`` (403 on list/watch/get), ``break_streams()`` (open watches die mid-event without the
  closing chunk), ``fail_continue(kind)`` (the next paged list request fails with 500: a list broken mid-way).

Known simplifications: a change that moves an object out of a label selector is not turned into DELETED; the
resourceVersion is one counter for all kinds (as etcd's is); both Event APIs are separate stores.
"""

from __future__ import annotations

import base64
import bisect
import copy
import json
import re
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from model.kinds import EVENT_KINDS, TOPOLOGY_KINDS, ApiKind

Obj = dict[str, Any]


@dataclass(frozen=True)
class Request:
    """One request the fake served, for assertions (``watch`` requests record their resourceVersion)."""

    method: str
    path: str
    params: dict[str, str]

    @property
    def is_watch(self) -> bool:
        return self.params.get("watch") in ("1", "true")


@dataclass
class _Change:
    rv: int
    type: str
    obj: Obj


@dataclass
class _Store:
    """One resource (group/version/plural): its current objects and its change log."""

    api: ApiKind
    objects: dict[tuple[str, str], Obj] = field(default_factory=dict)
    log: list[_Change] = field(default_factory=list)
    log_rvs: list[int] = field(default_factory=list)
    forbidden: int = 0  # HTTP status to answer with, 0 = allowed
    fail_continue: int = 0  # how many paged list requests to fail with 500


@dataclass
class _Stream:
    """An open watch: flags set by the test helpers, read by the handler thread."""

    store: _Store
    bookmarks: bool
    bookmark_due: bool = False
    broken_at: int | None = None  # cut at this version: send up to it, then break
    expired_at: int | None = None  # compacted at this version: send up to it, then 410


class FakeKube:
    """The fake API server; ``with FakeKube() as kube: kube.url``."""

    def __init__(
        self,
        kinds: Iterable[ApiKind] = TOPOLOGY_KINDS + EVENT_KINDS,
        *,
        bookmark_interval_s: float | None = None,
    ) -> None:
        self._stores: dict[tuple[str, str, str], _Store] = {}
        for k in kinds:
            self._stores[(k.group, k.version, k.plural)] = _Store(k)
        self._cond = threading.Condition(threading.RLock())
        self._rv = 1
        self._compacted = 0
        self._streams: list[_Stream] = []
        self._stopping = False
        self.bookmark_interval_s = bookmark_interval_s
        self.requests: list[Request] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------------------------

    def start(self) -> FakeKube:
        handler = type("_Handler", (_Handler,), {"kube": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakekube", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeKube:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "FakeKube not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- state helpers for tests ------------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        with self._cond:
            return self._rv

    def add(self, obj: Mapping[str, Any]) -> Obj:
        """Create an object (uid, resourceVersion, creationTimestamp, namespace filled in); returns the stored copy."""
        store = self._store_of(obj)
        o = copy.deepcopy(dict(obj))
        meta = o.setdefault("metadata", {})
        if store.api.namespaced:
            meta.setdefault("namespace", "default")
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        with self._cond:
            key = _key(o)
            if key in store.objects:
                raise ValueError(f"{store.api.kind} {key} already exists")
            return self._record(store, "ADDED", o)

    def modify(self, obj: Mapping[str, Any]) -> Obj:
        """Replace an existing object (found by namespace/name); its uid is kept, its resourceVersion bumped."""
        store = self._store_of(obj)
        o = copy.deepcopy(dict(obj))
        with self._cond:
            old = store.objects.get(_key(o))
            if old is None:
                raise KeyError(f"{store.api.kind} {_key(o)} not found")
            o["metadata"]["uid"] = old["metadata"]["uid"]
            o["metadata"].setdefault("creationTimestamp", old["metadata"].get("creationTimestamp"))
            return self._record(store, "MODIFIED", o)

    def delete(self, obj: Mapping[str, Any]) -> Obj:
        """Delete an object; the DELETED event carries its last state at a new resourceVersion."""
        store = self._store_of(obj)
        with self._cond:
            old = store.objects.get(_key(obj))
            if old is None:
                raise KeyError(f"{store.api.kind} {_key(obj)} not found")
            return self._record(store, "DELETED", copy.deepcopy(old))

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        with self._cond:
            for store in self._stores.values():
                if store.api.kind == kind and (namespace, name) in store.objects:
                    return copy.deepcopy(store.objects[(namespace, name)])
        return None

    def objects(self, kind: str) -> list[Obj]:
        """The current objects of a kind (both Event APIs for "Event")."""
        with self._cond:
            return [copy.deepcopy(o) for s in self._stores.values() if s.api.kind == kind for o in s.objects.values()]

    # -- faults -----------------------------------------------------------------------------------------------

    def compact(self, *, expire_watches: bool = True) -> int:
        """Forget history up to now: older resourceVersions answer 410 Gone. Returns the compaction revision."""
        with self._cond:
            self._compacted = self._rv
            if expire_watches:
                for s in self._streams:
                    s.expired_at = self._compacted
            self._cond.notify_all()
            return self._compacted

    def forbid(self, kind: str | ApiKind, status: int = 403) -> None:
        """Answer list/watch/get of a kind with ``status`` (403 Forbidden, 401) from now on."""
        for store in self._matching(kind):
            store.forbidden = status

    def allow(self, kind: str | ApiKind) -> None:
        for store in self._matching(kind):
            store.forbidden = 0

    def fail_continue(self, kind: str | ApiKind, times: int = 1) -> None:
        """Fail the next ``times`` list requests of a kind that carry a continue token (HTTP 500)."""
        for store in self._matching(kind):
            store.fail_continue = times

    def break_streams(self) -> int:
        """Cut every open watch mid-event (half a JSON line, no closing chunk). Returns how many were cut."""
        with self._cond:
            for s in self._streams:
                s.broken_at = self._rv
            self._cond.notify_all()
            return len(self._streams)

    def bookmark(self) -> int:
        """Send a BOOKMARK at the current resourceVersion on every open watch that asked for bookmarks."""
        with self._cond:
            for s in self._streams:
                s.bookmark_due = s.bookmarks
            self._cond.notify_all()
            return self._rv

    def open_watches(self, kind: str | None = None) -> int:
        with self._cond:
            return sum(1 for s in self._streams if kind is None or s.store.api.kind == kind)

    def wait_for_watches(self, n: int, kind: str | None = None, timeout: float = 5.0) -> None:
        """Block until at least ``n`` watches (of a kind) are open."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.open_watches(kind) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.open_watches(kind)} of {n} watches open for {kind or 'any kind'}")
                self._cond.wait(left)

    def watch_requests(self, kind: str) -> list[Request]:
        api = [s.api for s in self._stores.values() if s.api.kind == kind]
        return [r for r in list(self.requests) if r.is_watch and any(_plural_in(r.path, a) for a in api)]

    def list_requests(self, kind: str) -> list[Request]:
        api = [s.api for s in self._stores.values() if s.api.kind == kind]
        return [r for r in list(self.requests) if not r.is_watch and any(_plural_in(r.path, a) for a in api)]

    # -- internals --------------------------------------------------------------------------------------------

    def _matching(self, kind: str | ApiKind) -> list[_Store]:
        found = [
            s for s in self._stores.values() if (s.api == kind if isinstance(kind, ApiKind) else s.api.kind == kind)
        ]
        if not found:
            raise KeyError(f"fake API serves no kind {kind}")
        return found

    def _store_of(self, obj: Mapping[str, Any]) -> _Store:
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        for s in self._stores.values():
            if s.api.kind == kind and s.api.api_version == api_version:
                return s
        raise KeyError(f"fake API serves no {api_version} {kind}")

    def _record(self, store: _Store, type_: str, o: Obj) -> Obj:
        self._rv += 1
        o["metadata"]["resourceVersion"] = str(self._rv)
        o["kind"], o["apiVersion"] = store.api.kind, store.api.api_version
        if type_ == "DELETED":
            del store.objects[_key(o)]
        else:
            store.objects[_key(o)] = o
        store.log.append(_Change(self._rv, type_, o))
        store.log_rvs.append(self._rv)
        self._cond.notify_all()
        return copy.deepcopy(o)

    def _snapshot(self, store: _Store, rv: int) -> dict[tuple[str, str], Obj]:
        """The objects as they were at ``rv`` (replayed from the log)."""
        if rv >= self._rv:
            return dict(store.objects)
        state: dict[tuple[str, str], Obj] = {}
        for ch in store.log[: bisect.bisect_right(store.log_rvs, rv)]:
            if ch.type == "DELETED":
                state.pop(_key(ch.obj), None)
            else:
                state[_key(ch.obj)] = ch.obj
        return state

    def _resolve(self, path: str) -> tuple[_Store, str, str] | None:
        """Path -> (store, namespace filter, object name)."""
        m = re.fullmatch(r"/(?:api/(?P<v0>[^/]+)|apis/(?P<g>[^/]+)/(?P<v1>[^/]+))/(?P<rest>.+)", path.rstrip("/"))
        if not m:
            return None
        group, version = (m["g"] or ""), (m["v0"] or m["v1"])
        parts = m["rest"].split("/")
        ns, name = "", ""
        if parts[0] == "namespaces" and len(parts) >= 3:
            ns, parts = parts[1], parts[2:]
        plural = parts[0]
        if len(parts) == 2:
            name = parts[1]
        elif len(parts) > 2:
            return None
        store = self._stores.get((group, version, plural))
        if store is None or (ns and not store.api.namespaced):
            return None
        return store, ns, name


def _key(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta["name"])


def _plural_in(path: str, api: ApiKind) -> bool:
    prefix = f"/apis/{api.group}/{api.version}/" if api.group else f"/api/{api.version}/"
    if not path.startswith(prefix):
        return False
    parts = path[len(prefix) :].split("/")
    return parts[0] == api.plural or (len(parts) >= 3 and parts[0] == "namespaces" and parts[2] == api.plural)


def status(code: int, reason: str, message: str) -> Obj:
    """A ``Status`` object as the API server sends it for errors."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


# -- label selectors ------------------------------------------------------------------------------------------

_SET_RE = re.compile(r"^\s*(!?)\s*([\w./-]+)\s*(?:(in|notin)\s*\(([^)]*)\)|(==|=|!=)\s*([\w./-]*))?\s*$")


def parse_selector(text: str) -> list[tuple[str, str, frozenset[str]]]:
    """``a=b,c!=d,e in (x,y),!f`` -> [(key, op, values)] with op one of = != in notin exists !exists."""
    terms: list[str] = []
    depth, cur = 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    terms.append(cur)
    out: list[tuple[str, str, frozenset[str]]] = []
    for t in terms:
        if not t.strip():
            continue
        m = _SET_RE.match(t)
        if not m:
            raise ValueError(f"unable to parse requirement: {t!r}")
        neg, key, setop, setvals, op, val = m.groups()
        if setop:
            out.append((key, setop, frozenset(v.strip() for v in setvals.split(",") if v.strip())))
        elif op:
            out.append((key, "!=" if op == "!=" else "=", frozenset([val])))
        else:
            out.append((key, "!exists" if neg else "exists", frozenset()))
    return out


def matches(selector: list[tuple[str, str, frozenset[str]]], labels: Mapping[str, str]) -> bool:
    for key, op, vals in selector:
        has, val = key in labels, labels.get(key)
        ok = {
            "=": has and val in vals,
            "!=": not has or val not in vals,
            "in": has and val in vals,
            "notin": not has or val not in vals,
            "exists": has,
            "!exists": not has,
        }[op]
        if not ok:
            return False
    return True


# -- the HTTP side --------------------------------------------------------------------------------------------


class _BadRequest(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    kube: FakeKube
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        kube = self.kube
        kube.requests.append(Request("GET", url.path, params))
        found = kube._resolve(url.path)
        if found is None:
            self._send_json(
                404, status(404, "NotFound", f"the server could not find the requested resource ({url.path})")
            )
            return
        store, ns, name = found
        if store.forbidden:
            verb = "watch" if params.get("watch") in ("1", "true") else ("get" if name else "list")
            reason = "Forbidden" if store.forbidden == 403 else "Unauthorized"
            msg = (
                f'{store.api.plural} is forbidden: User "system:serviceaccount:causegraph:causegraph" cannot {verb} '
                f'resource "{store.api.plural}" in API group "{store.api.group}" at the cluster scope'
            )
            self._send_json(store.forbidden, status(store.forbidden, reason, msg))
            return
        try:
            label_sel = parse_selector(params.get("labelSelector", ""))
            field_sel = _field_selector(params.get("fieldSelector", ""))
        except ValueError as e:
            self._send_json(400, status(400, "BadRequest", str(e)))
            return
        if name:
            field_sel["metadata.name"] = name
        if ns:
            field_sel["metadata.namespace"] = ns

        def keep(o: Obj) -> bool:
            meta = o.get("metadata") or {}
            if field_sel.get("metadata.name", meta.get("name")) != meta.get("name"):
                return False
            if field_sel.get("metadata.namespace", meta.get("namespace", "")) != meta.get("namespace", ""):
                return False
            return matches(label_sel, meta.get("labels") or {})

        try:
            if params.get("watch") in ("1", "true"):
                self._watch(store, keep, params)
            elif name:
                with kube._cond:
                    obj = store.objects.get((ns, name))
                if obj is None:
                    self._send_json(404, status(404, "NotFound", f'{store.api.plural} "{name}" not found'))
                else:
                    self._send_json(200, obj)
            else:
                self._list(store, keep, params)
        except _BadRequest as e:
            self._send_json(400, status(400, "BadRequest", str(e)))
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _send_json(self, code: int, body: Obj) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _list(self, store: _Store, keep: Any, params: dict[str, str]) -> None:
        kube = self.kube
        limit = _int(params.get("limit", "0"), "limit")
        token = params.get("continue", "")
        with kube._cond:
            if token:
                if store.fail_continue > 0:
                    store.fail_continue -= 1
                    self._send_json(500, status(500, "InternalError", "etcdserver: request timed out"))
                    return
                try:
                    t = json.loads(base64.urlsafe_b64decode(token.encode()))
                    rv, start = int(t["rv"]), (str(t["start"][0]), str(t["start"][1]))
                except (ValueError, KeyError, TypeError, IndexError) as e:
                    raise _BadRequest(f"invalid continue token: {e}") from e
                if rv < kube._compacted:
                    msg = "The provided continue parameter is too old to display a consistent list result."
                    self._send_json(410, status(410, "Expired", msg))
                    return
            else:
                rv, start = kube._rv, None
            state = kube._snapshot(store, rv)
        keys = sorted(k for k, o in state.items() if keep(o) and (start is None or k > start))
        page = keys[:limit] if limit > 0 else keys
        meta: Obj = {"resourceVersion": str(rv)}
        if len(page) < len(keys):
            last = page[-1]
            meta["continue"] = base64.urlsafe_b64encode(json.dumps({"rv": rv, "start": list(last)}).encode()).decode()
            meta["remainingItemCount"] = len(keys) - len(page)
        items = []
        for k in page:
            item = copy.deepcopy(state[k])
            item.pop("kind", None)
            item.pop("apiVersion", None)
            items.append(item)
        self._send_json(
            200,
            {"kind": f"{store.api.kind}List", "apiVersion": store.api.api_version, "metadata": meta, "items": items},
        )

    def _watch(self, store: _Store, keep: Any, params: dict[str, str]) -> None:
        kube = self.kube
        rv_param = params.get("resourceVersion", "")
        timeout = _int(params.get("timeoutSeconds", "0"), "timeoutSeconds") or 1800
        deadline = time.monotonic() + timeout
        stream = _Stream(store, bookmarks=params.get("allowWatchBookmarks") in ("1", "true"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with kube._cond:
            if rv_param in ("", "0"):
                pos = kube._rv
                initial = [{"type": "ADDED", "object": o} for k, o in sorted(store.objects.items()) if keep(o)]
            else:
                pos = _int(rv_param, "resourceVersion")
                initial = []
                if pos < kube._compacted:
                    gone = status(410, "Expired", f"too old resource version: {pos} ({kube._compacted})")
                    self._chunk({"type": "ERROR", "object": gone})
                    self._end()
                    return
            kube._streams.append(stream)
            kube._cond.notify_all()
        try:
            for ev in initial:
                self._chunk(ev)
            last_write = time.monotonic()
            while True:
                with kube._cond:
                    while not (
                        kube._stopping
                        or stream.broken_at is not None
                        or stream.expired_at is not None
                        or stream.bookmark_due
                        or (store.log_rvs and store.log_rvs[-1] > pos)
                    ):
                        now = time.monotonic()
                        if now >= deadline:
                            break
                        if (
                            stream.bookmarks
                            and kube.bookmark_interval_s
                            and now - last_write >= kube.bookmark_interval_s
                        ):
                            stream.bookmark_due = True
                            break
                        kube._cond.wait(min(0.2, deadline - now))
                        if self._client_gone():
                            return
                    i = bisect.bisect_right(store.log_rvs, pos)
                    pending = store.log[i:]
                    now_rv = kube._rv
                    broken_at, expired_at, bookmark = stream.broken_at, stream.expired_at, stream.bookmark_due
                    for cut in (broken_at, expired_at):
                        if cut is not None:
                            pending = [ch for ch in pending if ch.rv <= cut]
                    stream.bookmark_due = False
                    stopping = kube._stopping
                for ch in pending:
                    pos = ch.rv
                    if keep(ch.obj):
                        self._chunk({"type": ch.type, "object": ch.obj})
                        last_write = time.monotonic()
                if broken_at is not None:
                    self._chunk_raw(b'{"type":"MODIFIED","object":{"kind":')
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if expired_at is not None:
                    msg = f"too old resource version: {pos} ({kube._compacted})"
                    self._chunk({"type": "ERROR", "object": status(410, "Expired", msg)})
                    break
                if bookmark:
                    pos = max(pos, now_rv)
                    meta = {"resourceVersion": str(pos)}
                    obj = {"kind": store.api.kind, "apiVersion": store.api.api_version, "metadata": meta}
                    self._chunk({"type": "BOOKMARK", "object": obj})
                    last_write = time.monotonic()
                if stopping or time.monotonic() >= deadline:
                    break
            self._end()
        finally:
            with kube._cond:
                kube._streams.remove(stream)
                kube._cond.notify_all()

    def _client_gone(self) -> bool:
        """True when the client closed its side (readable with no data)."""
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            return bool(r) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _chunk(self, event: Obj) -> None:
        self._chunk_raw(json.dumps(event).encode() + b"\n")

    def _chunk_raw(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _int(text: str, what: str) -> int:
    try:
        return int(text or "0")
    except ValueError as e:
        raise _BadRequest(f"{what}: not an integer: {text!r}") from e


def _field_selector(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for term in filter(None, (t.strip() for t in text.split(","))):
        k, sep, v = term.partition("=")
        if not sep or k.rstrip("=") not in ("metadata.name", "metadata.namespace"):
            raise ValueError(f"field label not supported: {term}")
        out[k.rstrip("=")] = v.lstrip("=")
    return out


# -- object makers for tests ----------------------------------------------------------------------------------


def pod(name: str, namespace: str = "default", *, labels: Mapping[str, str] | None = None, node: str = "") -> Obj:
    """A minimal valid Pod (the official client's models require ``spec.containers``)."""
    spec: Obj = {"containers": [{"name": "app", "image": "registry.example/app:1"}]}
    if node:
        spec["nodeName"] = node
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
        "spec": spec,
        "status": {"phase": "Running"},
    }


def obj(kind: str, name: str, namespace: str = "", **fields: Any) -> Obj:
    """A minimal object of any served kind (``namespace`` is ignored for cluster-scoped kinds)."""
    api = next(k for k in TOPOLOGY_KINDS + EVENT_KINDS if k.kind == kind)
    meta: Obj = {"name": name}
    if api.namespaced:
        meta["namespace"] = namespace or "default"
    return {"apiVersion": api.api_version, "kind": kind, "metadata": meta, **fields}
