"""JetStream streams at the replica count of the settings: created when missing, updated when they differ.

On a NATS cluster every stream causegraph relies on (events in, dead letters, results, alerts, the leader bucket)
is kept on ``nats.replicas`` servers, so that losing one server loses neither a message nor the stream. A stream
made before with another count is updated to it (JetStream moves replicas online); when the cluster cannot take
the count (fewer JetStream servers than replicas, a server that does not cluster), ``StreamReplicasError`` says
which stream, what was wanted and what the server answered.

    NatsError / JetStream APIError
      └── StreamReplicasError   creating or updating a stream to ``replicas`` failed (chained)
"""

from __future__ import annotations

import logging
from dataclasses import replace

from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import APIError, NotFoundError

log = logging.getLogger(__name__)


class StreamReplicasError(RuntimeError):
    """A stream could not be created or updated with the replica count of the settings."""


async def ensure_stream(js: JetStreamContext, config: StreamConfig, replicas: int) -> bool:
    """Make ``config.name`` exist with ``replicas`` replicas; an existing stream keeps the rest of its config.

    Returns True when the stream was created or changed."""
    name = str(config.name)
    try:
        info = await js.stream_info(name)
    except NotFoundError:
        try:
            await js.add_stream(replace(config, num_replicas=replicas))
        except APIError as exc:
            raise StreamReplicasError(_why(name, replicas, "creating", exc)) from exc
        log.info("created stream %s (%d replicas)", name, replicas)
        return True
    have = info.config.num_replicas or 1
    if have == replicas:
        return False
    try:
        await js.update_stream(replace(info.config, num_replicas=replicas))
    except APIError as exc:
        raise StreamReplicasError(_why(name, replicas, f"updating (it has {have})", exc)) from exc
    log.info("stream %s: %d replicas -> %d", name, have, replicas)
    return True


def _why(name: str, replicas: int, doing: str, exc: APIError) -> str:
    return (
        f"stream {name}: {doing} with {replicas} replicas failed: {exc.description or exc}. "
        f"nats.replicas={replicas} needs a NATS cluster with at least {replicas} JetStream servers "
        "(set CAUSEGRAPH_NATS__REPLICAS to what the cluster has)"
    )
