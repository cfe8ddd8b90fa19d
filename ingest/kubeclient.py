"""Thin adapter over the official ``kubernetes`` client: one page of a list, one watch stream, as plain dicts.

The reflector (``ingest.watch``) needs only these two calls, for any kind, so the adapter goes through the client's
``ApiClient`` (auth, TLS, proxies, token refresh) with a path instead of the typed per-kind APIs, and leaves the
objects as JSON dicts (no model deserialisation: faster, and every field survives).

Errors, one hierarchy for this boundary; library exceptions are chained::

    KubeError                anything the API server or the connection said; not retried on its own (a 400)
    ├── KubeForbidden        401 / 403 / 404 (the API is not served): the kind is skipped
    ├── KubeGone             410: the resourceVersion or continue token is compacted: relist
    └── KubeTransient        refused / reset / read timeout (a quiet stream) / broken stream / 429 / 5xx: retry
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import urllib3
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException

from ingest.settings import KubernetesSettings

log = logging.getLogger(__name__)

Obj = dict[str, Any]
CONNECT_TIMEOUT_S = 10.0


class KubeError(Exception):
    """An answer or failure of the Kubernetes API."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class KubeForbidden(KubeError):
    """Not allowed (RBAC) or not served; retrying will not help."""


class KubeGone(KubeError):
    """410 Gone: the version asked for is compacted."""


class KubeTransient(KubeError):
    """A failure that may pass: connection, timeout, server overload."""


def classify(status: int, message: str) -> KubeError:
    """The error for an HTTP status (or a watch ERROR event's ``code``)."""
    if status in (401, 403, 404):
        return KubeForbidden(message, status)
    if status == 410:
        return KubeGone(message, status)
    if status in (0, 408, 429) or status >= 500:
        return KubeTransient(message, status)
    return KubeError(message, status)


def _status_message(body: bytes, status: int) -> str:
    try:
        doc = json.loads(body)
        if isinstance(doc, dict) and doc.get("message"):
            return f"{status} {doc.get('reason', '')}: {doc['message']}"
    except ValueError:
        pass
    return f"{status}: {body[:200].decode(errors='replace')}"


class WatchStream:
    """One open watch: iterate for its events (dicts with ``type`` and ``object``); ``close()`` from any thread.

    An ``ERROR`` event is raised as the error its ``code`` says; a stream that breaks, or stays silent longer than
    the read timeout, raises ``KubeTransient``. The iteration ends when the server ends the watch (its
    ``timeoutSeconds``) or after ``close()``.
    """

    def __init__(self, raw: Any, path: str) -> None:
        self._raw = raw  # urllib3.BaseHTTPResponse
        self._path = path
        self._closed = False

    def close(self) -> None:
        """Unblock a reader in another thread by shutting the socket down; the reader releases the response."""
        self._closed = True
        conn = getattr(self._raw, "connection", None)
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __iter__(self) -> Iterator[Obj]:
        buf = bytearray()
        try:
            for chunk in self._raw.stream(65536, decode_content=False):
                buf.extend(chunk)
                while (nl := buf.find(b"\n")) >= 0:
                    line = bytes(buf[:nl])
                    del buf[: nl + 1]
                    if line.strip():
                        yield self._event(line)
                if self._closed:
                    return
        except (urllib3.exceptions.HTTPError, OSError) as e:
            if self._closed:
                return
            raise KubeTransient(f"watch {self._path}: stream broke: {type(e).__name__}: {e}") from e
        finally:
            self._raw.close()
            self._raw.release_conn()

    def _event(self, line: bytes) -> Obj:
        try:
            ev = json.loads(line)
        except ValueError as e:
            raise KubeTransient(f"watch {self._path}: malformed event line: {line[:120]!r}") from e
        if not isinstance(ev, dict) or not isinstance(ev.get("object"), dict) or not isinstance(ev.get("type"), str):
            raise KubeTransient(f"watch {self._path}: event without type/object: {line[:120]!r}")
        if ev["type"] == "ERROR":
            st = ev["object"]
            code = st.get("code") if isinstance(st.get("code"), int) else 500
            raise classify(code, f"watch {self._path}: {code} {st.get('reason', '')}: {st.get('message', '')}")
        return ev


class KubeClient:
    """List pages and watch streams of any API path, over the official client's ``ApiClient``."""

    def __init__(self, api: Any) -> None:
        self.api = api  # kubernetes.client.ApiClient

    @property
    def host(self) -> str:
        return str(self.api.configuration.host)

    def close(self) -> None:
        self.api.close()

    def _get(self, path: str, query: list[tuple[str, str]], read_timeout_s: float) -> Any:
        method, url, headers, _, _ = self.api.param_serialize(
            "GET",
            path,
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        try:
            resp = self.api.call_api(method, url, headers, _request_timeout=(CONNECT_TIMEOUT_S, read_timeout_s))
        except ApiException as e:  # the client turns TLS errors into status 0
            raise KubeTransient(f"GET {path}: {e.reason}", e.status or 0) from e
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise KubeTransient(f"GET {path}: {type(e).__name__}: {e}") from e
        raw = resp.response
        if resp.status != 200:
            try:
                body = raw.read()
            except (urllib3.exceptions.HTTPError, OSError):
                body = b""
            finally:
                raw.release_conn()
            raise classify(resp.status, f"GET {path}: {_status_message(body, resp.status)}")
        return raw

    def list_page(
        self,
        path: str,
        *,
        limit: int,
        continue_token: str = "",
        label_selector: str = "",
        timeout_s: float = 60.0,
    ) -> Obj:
        """One page of a list: the List object (``items``, ``metadata.resourceVersion``, ``metadata.continue``)."""
        query = [("limit", str(limit))]
        if continue_token:
            query.append(("continue", continue_token))
        if label_selector:
            query.append(("labelSelector", label_selector))
        raw = self._get(path, query, timeout_s)
        try:
            body = raw.read()
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise KubeTransient(f"GET {path}: reading the list broke: {e}") from e
        finally:
            raw.release_conn()
        try:
            doc = json.loads(body)
        except ValueError as e:
            raise KubeTransient(f"GET {path}: list is not JSON: {body[:120]!r}") from e
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list | None):
            raise KubeTransient(f"GET {path}: not a List: {body[:120]!r}")
        doc["items"] = doc.get("items") or []
        return doc

    def watch(
        self,
        path: str,
        *,
        resource_version: str,
        timeout_s: int,
        quiet_timeout_s: float,
        label_selector: str = "",
        bookmarks: bool = True,
    ) -> WatchStream:
        """Open a watch from ``resource_version``; the stream fails if nothing arrives for ``quiet_timeout_s``."""
        query = [("watch", "1"), ("resourceVersion", resource_version), ("timeoutSeconds", str(timeout_s))]
        if bookmarks:
            query.append(("allowWatchBookmarks", "true"))
        if label_selector:
            query.append(("labelSelector", label_selector))
        return WatchStream(self._get(path, query, quiet_timeout_s), path)


def build_client(settings: KubernetesSettings, *, pool_size: int = 32) -> KubeClient | None:
    """The client for the configured cluster, or None when there is none (mode ``none``, or ``auto`` finding none).

    ``host`` set: that URL, no credentials (a proxy, the test fake). Otherwise ``incluster`` (service account),
    ``kubeconfig`` (file and context from settings), or ``auto``: in-cluster first, then kubeconfig.
    """
    mode = settings.mode
    if mode not in ("auto", "none", "kubeconfig", "incluster"):
        raise ValueError(f"kubernetes.mode: unknown mode {mode!r}; use auto, none, kubeconfig or incluster")
    if mode == "none":
        return None
    cfg = k8s.Configuration()
    if settings.host:
        cfg.host = settings.host.rstrip("/")
    elif mode == "incluster":
        k8s_config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
    elif mode == "kubeconfig":
        _load_kubeconfig(settings, cfg)
    else:
        try:
            k8s_config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
        except k8s_config.ConfigException:
            try:
                _load_kubeconfig(settings, cfg)
            except (k8s_config.ConfigException, OSError) as e:
                log.info("no in-cluster or kubeconfig configuration (%s); live watch is off", e)
                return None
    cfg.connection_pool_maxsize = pool_size
    return KubeClient(k8s.ApiClient(cfg))


def _load_kubeconfig(settings: KubernetesSettings, cfg: Any) -> None:
    k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
        config_file=settings.kubeconfig or None, context=settings.context or None, client_configuration=cfg
    )
