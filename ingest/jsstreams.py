"""JetStream streams at the replica count of the settings: created when missing, updated when they differ.

On a NATS cluster every stream causegraph relies on (events in, dead letters, results, alerts, the leader bucket)
is kept on ``nats.replicas`` servers, so that losing one server loses neither a message nor the stream. A stream
made before with another count is updated to it (JetStream moves replicas online); when the cluster cannot take
the count (fewer JetStream servers than replicas, a server that does not cluster), ``StreamReplicasError`` says
which stream, what was wanted and what the server answered.

    NatsError / JetStream APIError
      └── StreamReplicasError   creating or updating a stream to ``replicas`` failed (chained)

Several workers start at once and each makes sure of the same streams. On a cluster, two creations of one stream
race in the meta layer: the second may time out, or find the stream named but not yet applied. Such answers are
transient (``TRANSIENT``): ``settled`` asks again for up to ``SETTLE_S`` before the error stands, and a creation
refused because the stream now exists reads it back instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from nats.errors import NoRespondersError
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import APIError, NoStreamResponseError, NotFoundError, ServiceUnavailableError

log = logging.getLogger(__name__)

#: Answers of a cluster still settling (a meta leader elected, a racing creation applied): asked again. A stream made
#: a moment ago answers nothing until its own leader is elected: a request then raises NoRespondersError, a
#: publish NoStreamResponseError.
TRANSIENT: tuple[type[BaseException], ...] = (
    TimeoutError,
    NoRespondersError,
    NoStreamResponseError,
    ServiceUnavailableError,
)
SETTLE_S = 30.0
#: JetStream admin requests (creating an R3 stream) take seconds on a loaded machine; publishes use their own.
ADMIN_TIMEOUT_S = 10.0


class StreamReplicasError(RuntimeError):
    """A stream could not be created or updated with the replica count of the settings."""


async def settled[T](op: Callable[[], Awaitable[T]], what: str, settle_s: float = SETTLE_S) -> T:
    """``op()``, asked again while its failure is ``TRANSIENT`` and ``settle_s`` has not passed."""
    deadline = time.monotonic() + settle_s
    pause = 0.1
    while True:
        try:
            return await op()
        except TRANSIENT as exc:
            if time.monotonic() + pause > deadline:
                raise
            log.info("%s: %s; asking again", what, type(exc).__name__)
        await asyncio.sleep(pause)
        pause = min(pause * 2, 2.0)


async def ensure_stream(js: JetStreamContext, config: StreamConfig, replicas: int) -> bool:
    """Make ``config.name`` exist with ``replicas`` replicas; an existing stream keeps the rest of its config.

    Returns True when the stream was created or changed."""
    return await settled(lambda: _ensure_once(js, config, replicas), f"stream {config.name}")


async def _ensure_once(js: JetStreamContext, config: StreamConfig, replicas: int) -> bool:
    name = str(config.name)
    try:
        info = await js.stream_info(name)
    except NotFoundError:
        try:
            await js.add_stream(replace(config, num_replicas=replicas))
        except APIError as exc:
            if isinstance(exc, TRANSIENT):
                raise
            try:  # made by another worker meanwhile: take it as it is
                info = await js.stream_info(name)
            except NotFoundError:
                raise StreamReplicasError(_why(name, replicas, "creating", exc)) from exc
        else:
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
