"""What makes a scenario realistic, as switches: the generator's ``realistic`` mode (the default) turns every one
on; ``--classic`` turns them all off and gives the original generator's events byte for byte.

    overlap        2-4 incidents within a few minutes in the same app and namespace; they may share callers (only
                   their roots are kept apart), and faults seen only through collector events come back to back
    near_noise     background warnings on the incidents' own nodes, services and workloads, inside their window
    sparse_traces  symptoms carry a trace id only sometimes (some shared, some their own, many none)
    ip_only        share of symptoms that name only IP addresses (``network`` facts, no pod or entity)
    variants       fault-kind variants: network loss / memory pressure with no node-level event, crash loops over
                   most pods of a workload, each OOM of a recurring failure its own incident
    app_faults     the ``app_fault`` kind (CPU contention, network delay or an exception in one pod)
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from typing import Any

CLASSIC_IP_ONLY = 0.25  # one in four of ["k8s", "k8s", "entity", "network"]


@dataclass(frozen=True)
class Knobs:
    overlap: bool = True
    near_noise: bool = True
    sparse_traces: bool = True
    ip_only: float = 0.5
    variants: bool = True
    app_faults: bool = True

    @classmethod
    def classic(cls) -> Knobs:
        return cls(False, False, False, CLASSIC_IP_ONLY, False, False)

    @property
    def is_classic(self) -> bool:
        return self == Knobs.classic()

    def label(self) -> str:
        if self.is_classic:
            return "classic"
        off = [f.name for f in dataclasses.fields(self) if f.type in (bool, "bool") and not getattr(self, f.name)]
        extra = f", ip_only={self.ip_only}" if self.ip_only != Knobs().ip_only else ""
        return "realistic" + (f" without {', '.join(off)}" if off else "") + extra

    def argv(self) -> list[str]:
        """Command-line flags that give these knobs (for passing them on to ``generate``)."""
        out = ["--classic"] if self.is_classic else []
        base = Knobs.classic() if self.is_classic else Knobs()
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(base, f.name)
            if mine == theirs:
                continue
            flag = f.name.replace("_", "-")
            if isinstance(mine, bool):
                out.append(f"--{flag}" if mine else f"--no-{flag}")
            else:
                out += [f"--{flag}", str(mine)]
        return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("scenario knobs (default: realistic, all on)")
    g.add_argument("--classic", action="store_true", help="the original generator: every knob off")
    bools = (
        ("overlap", "2-4 incidents overlapping in time in one namespace, sharing callers"),
        ("near-noise", "background warnings on incident nodes/services/workloads inside the window"),
        ("sparse-traces", "trace ids on some symptoms only"),
        ("variants", "fault variants: no node event, workload-wide crash loops, recurring occurrences split"),
        ("app-faults", "the app_fault kind (collector events only), back to back"),
    )
    for flag, text in bools:
        g.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None, help=text)
    g.add_argument("--ip-only", type=float, default=None, metavar="SHARE", help="share of IP-only symptoms (0.5)")


def from_args(args: argparse.Namespace) -> Knobs:
    base = Knobs.classic() if args.classic else Knobs()
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(Knobs):
        value = getattr(args, f.name, None)
        if value is not None:
            changes[f.name] = value
    if not 0.0 <= float(changes.get("ip_only", base.ip_only)) <= 1.0:
        raise SystemExit("--ip-only: a share between 0 and 1")
    return dataclasses.replace(base, **changes)
