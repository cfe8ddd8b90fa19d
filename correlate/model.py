"""Plain data the engine reasons over: a member event with its topology context, and a link between two events.

No I/O here; the engine fills these from ``StoredEvent`` and the graph, the pure modules read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from model.event import NormalEvent
from model.resource import WORKLOAD_KINDS as WORKLOAD_KINDS  # the engine modules read it as ``m.WORKLOAD_KINDS``
from model.resource import ResourceRef, deployment_of_pod
from model.vocab import LinkKind, State

# Link kinds (``model.vocab.LinkKind``) under the short names the engine's modules use.
SAME_RESOURCE = LinkKind.SAME_RESOURCE
OWNER = LinkKind.OWNER
SAME_WORKLOAD = LinkKind.SAME_WORKLOAD
SAME_NODE = LinkKind.SAME_NODE
SELECTS = LinkKind.SELECTS
CALLS = LinkKind.CALLS
SHARED_CONFIG = LinkKind.SHARED_CONFIG
SHARED_VOLUME = LinkKind.SHARED_VOLUME
SAME_TRACE = LinkKind.SAME_TRACE
TARGET = LinkKind.TARGET
ROOT = LinkKind.ROOT
AFTERMATH = LinkKind.AFTERMATH


@dataclass(frozen=True)
class Context:
    """What the graph knows around an event's resource (cached by the engine)."""

    uid: str = ""
    cluster: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    node: str = ""
    workload_uid: str = ""
    workload_kind: str = ""
    workload_namespace: str = ""
    workload_name: str = ""
    workload_replicas: int = 0
    workload_revision: str = ""
    workload_images: tuple[str, ...] = ()
    limits_memory: str = ""
    limits_cpu: str = ""
    services: tuple[str, ...] = ()
    service_uids: tuple[str, ...] = ()
    pod_nodes: tuple[str, ...] = ()  # a Service: the nodes its pods run on
    # What links events on it to others (``correlate.reach``), known only when the graph holds the resource:
    in_graph: bool = False
    node_uid: str = ""  # a Pod: its Node's uid
    owners: tuple[tuple[str, int], ...] = ()  # (owner uid, fewest OWNED_BY hops), up to 3 hops
    uses: tuple[tuple[str, str], ...] = ()  # a Pod: (ConfigMap/Secret/PVC uid, shared_config | shared_volume)

    @cached_property
    def workload(self) -> str:
        """``kind/namespace/name`` of the top-level owner ('' when none); made once, asked of every pair placed."""
        if not self.workload_name:
            return ""
        return f"{self.workload_kind.lower()}/{self.workload_namespace}/{self.workload_name}"


def unknown_context(e: NormalEvent, resolved: ResourceRef, cluster: str) -> Context:
    """What an event is about when the graph does not know the resource (yet): what ingest resolved it to, else
    what its source named (a rollout's new pod, its events ahead of the watch), with the owner the source or the
    pod's own name says (``deployment_of_pod``), so that the rollout that made it explains it."""
    ref = resolved if resolved.uid or resolved.name else e.resource
    kind, name = e.workload_kind, e.workload_name
    if not name and ref.kind == "Pod" and (name := deployment_of_pod(ref.name)):
        kind = "Deployment"
    return Context(
        uid=ref.uid,
        cluster=ref.cluster or cluster,
        kind=ref.kind,
        namespace=ref.namespace,
        name=ref.name,
        node=e.node_name,
        workload_kind=kind,
        workload_namespace=ref.namespace if name else "",
        workload_name=name,
    )


@dataclass
class Member:
    """One event in a correlation."""

    id: str
    ts: int
    reason: str
    category: str
    severity_rank: int
    source_kind: str = ""
    type: str = "Warning"
    message: str = ""
    trace_id: str = ""
    count: int = 1
    last_ts: int = 0
    # (time, count so far) of its tellings, the latest few: how close together its repeats came (``state.burst``);
    # empty: not known (its count then stands for a burst)
    told: tuple[tuple[int, int], ...] = ()
    ctx: Context = field(default_factory=Context)
    target: Context | None = None  # what a network event was calling, when it named another resource
    detail: dict[str, Any] = field(default_factory=dict)
    link: str = ROOT  # how it joined
    linked_to: str = ""  # the member it joined through
    weight: float = 1.0

    @property
    def seen_until(self) -> int:
        return max(self.ts, self.last_ts)

    @cached_property
    def bare(self) -> Member:
        """It seen only by what it was calling (``explain.bare``), made once: a correlation's links ask it of the
        same member again and again."""
        return Member(
            id=self.id, ts=self.ts, reason=self.reason, category=self.category, severity_rank=0, target=self.target
        )

    @classmethod
    def of(cls, e: NormalEvent, ctx: Context, target: Context | None = None) -> Member:
        """A stored event as a member, in its resource's context (and what it was calling)."""
        return cls(
            id=e.id,
            ts=e.ts,
            reason=e.reason,
            category=e.category.value,
            severity_rank=e.severity_rank,
            source_kind=e.source_kind.value,
            type=e.type,
            message=e.message,
            trace_id=e.trace_id,
            count=e.count,
            last_ts=e.last_ts,
            told=tellings(e.ts, e.count, e.last_ts),
            ctx=ctx,
            target=target,
            detail=dict(e.detail),
        )


def tellings(ts: int, count: int, last_ts: int) -> tuple[tuple[int, int], ...]:
    """The tellings known of an event first told at ``ts`` and ``count`` times by ``last_ts``."""
    return ((ts, 1), (last_ts, count)) if last_ts > ts and count > 1 else ((ts, count),)


@dataclass(frozen=True)
class Link:
    """``a`` (the later event) is linked to ``b``; ``direction`` +1: b is upstream of a; -1: a is upstream of b."""

    a: str
    b: str
    kind: str
    weight: float
    direction: int = 0
    hops: int = 0


@dataclass
class Recurring:
    """A failure of one workload (one kind of failure: ``recurrence.key_of``) that comes back at a regular interval."""

    period_seconds: int
    occurrences: int
    since_image: str = ""
    previous: tuple[str, ...] = ()  # correlation ids of the earlier occurrences, oldest first
    since: int = 0  # time of the first occurrence


@dataclass(frozen=True)
class Root:
    """A correlation's root hypothesis: the event, and the resource named as the cause at the level a person fixes.

    ``resource`` is the event's own resource, or a resource above it (the workload of a workload-wide failure,
    the Node its pods' symptoms share, the callee its callers' errors name); ``inferred`` when that resource has
    no event of its own in the correlation, ``why`` says what pointed at it. ``named`` when its pods' symptoms
    name the Node (``nodeinfer``), whether or not a lesser warning of its own is the root event: a node so named
    is in trouble by what its pods show, not by what its own event says.
    """

    event_id: str
    resource: Context
    inferred: bool = False
    why: str = ""
    named: bool = False


@dataclass
class Correlation:
    """An open correlation in the engine's memory (the graph holds the durable copy)."""

    id: str
    members: dict[str, Member] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    state: str = State.BUILDING
    version: int = 0
    published: bool = False
    last_published: Any = None  # the Snapshot of the last published version
    recurring: Recurring | None = None
    root: Root | None = None  # the current root hypothesis (the engine keeps it current)
    aftermath: dict[str, Member] = field(default_factory=dict)  # events following from members (correlate.aftermath)
    merged_into: str = ""
    merged_target: Any = None  # the Correlation it was merged into (followed by the recurrence history)
    # What the graph already holds (the engine writes only what is new).
    written_members: set[str] = field(default_factory=set)
    written_root: str = ""
    written_impacts: set[str] = field(default_factory=set)

    def event_ids(self) -> set[str]:
        """Every event it holds: its members and the aftermath events that follow from them."""
        return {*self.members, *self.aftermath}

    def current(self) -> Correlation:
        """This correlation, or the one it was merged into (transitively)."""
        c = self
        while c.merged_target is not None:
            c = c.merged_target
        return c

    _first: tuple[int, int] = field(default=(-1, 0), repr=False, compare=False)  # (members counted, first ts)

    @property
    def first_seen(self) -> int:
        """The earliest member's time; kept until the membership grows (members are only ever added, and an
        event's time never changes), since the engine asks for it for every link it weighs."""
        n = len(self.members)
        if self._first[0] != n:
            self._first = (n, min(x.ts for x in self.members.values()))
        return self._first[1]

    _last: tuple[int, int] = field(default=(-1, 0), repr=False, compare=False)  # (members counted, last seen)

    @property
    def last_seen(self) -> int:
        """The latest member time (repeats included); kept like ``first_seen``: a repeat, which replaces a member
        without adding one, calls ``repeated``."""
        n = len(self.members)
        if self._last[0] != n:
            self._last = (n, max(x.seen_until for x in self.members.values()))
        return self._last[1]

    def repeated(self) -> None:
        """A member was replaced by its repeat (a later ``last_ts``): ``last_seen`` is counted again."""
        self._last = (-1, 0)
