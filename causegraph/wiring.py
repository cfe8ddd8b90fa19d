"""Composition: build the parts from the settings."""

from __future__ import annotations

from causegraph.settings import Settings
from graph import GraphStore, open_store


def open_graph(settings: Settings, url: str | None = None, *, schema: bool = True) -> GraphStore:
    """Open the graph the settings (or ``url``) name, with the schema applied."""
    g = settings.graph
    store = open_store(
        url or g.url,
        graph_name=g.name,
        user=g.user,
        password=g.password.get_secret_value(),
        batch_size=g.batch_size,
        retries=g.retries,
        appendfsync=g.appendfsync,
    )
    if schema:
        try:
            store.apply_schema()
        except BaseException:
            store.close()  # an embedded server this process started must not be left running
            raise
    return store
