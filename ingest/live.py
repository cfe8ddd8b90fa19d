"""The live topology of a cluster, started the way a bulk load is: the first lists of every kind run side by side (a
pod may come before its ReplicaSet), so relationships wait until every kind is listed; then they are written and
linked by selectors and env, and from then on each change writes its own at once. Owned here so that ``serve`` only
starts and stops it."""

from __future__ import annotations

import logging
import threading

from ingest.kubeclient import KubeClient
from ingest.loader import TopologyLoader
from ingest.settings import KubernetesSettings
from ingest.watch import OnEvents, OnK8sEvents, Watcher

log = logging.getLogger(__name__)


class LiveTopology:
    """A ``Watcher`` into a ``TopologyLoader`` whose relationships are deferred until the first lists are done."""

    def __init__(
        self,
        client: KubeClient,
        loader: TopologyLoader,
        settings: KubernetesSettings,
        *,
        on_events: OnEvents | None = None,
        on_k8s_events: OnK8sEvents | None = None,
    ) -> None:
        self.loader = loader
        loader.defer_relationships = True
        self.watcher = Watcher(client, loader, settings, on_events=on_events, on_k8s_events=on_k8s_events)
        self._link = threading.Thread(target=self._link_after_sync, name="watch-link", daemon=True)
        self.linked = threading.Event()  # set once the first lists' relationships are written and linked

    def start(self) -> None:
        self.watcher.start()
        self._link.start()

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop the watch; the link step may be writing the first lists' relationships: let it finish first."""
        self.watcher.stop()
        if self._link.is_alive():
            self._link.join(timeout_s)

    def _link_after_sync(self) -> None:
        watcher = self.watcher
        while not watcher.stop_event.is_set():
            if watcher.wait_synced(timeout=1.0):
                with watcher.lock:
                    self.loader.defer_relationships = False
                    self.loader.finish()
                self.linked.set()
                log.info("kubernetes: first lists done, relationships written and linked")
                return
