"""Cyclic garbage collector settings for the long-running live path (``causegraph serve``).

The live path allocates many short-lived, acyclic objects (decoded messages, rows, documents) while the engine
keeps a large, slowly changing heap (open correlations, cached contexts). With the default thresholds a full
collection walks that whole heap every few seconds and stops every thread for up to ~200 ms (measured at
1,000 events/s), which is the tail of the NATS-in to NATS-out latency. After start-up, what exists is frozen
(never scanned again) and the young generation is made larger, so collections are rarer and shorter.
"""

from __future__ import annotations

import gc

LIVE_THRESHOLDS = (20_000, 20, 10)


def settle_for_live() -> tuple[int, int, int]:
    """Collect once, freeze what survived start-up, raise the thresholds; return the previous thresholds."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*LIVE_THRESHOLDS)
    return before


def restore(thresholds: tuple[int, int, int]) -> None:
    """Undo ``settle_for_live`` when the live path stops (tests run several runtimes in one process)."""
    gc.unfreeze()
    gc.set_threshold(*thresholds)
