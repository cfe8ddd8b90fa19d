"""The live path's collector settings: start-up objects frozen, larger young generation."""

from __future__ import annotations

import gc

from causegraph.gcpolicy import LIVE_THRESHOLDS, restore, settle_for_live


def test_settle_for_live_freezes_start_up_objects_and_raises_thresholds() -> None:
    kept = [{"n": i} for i in range(1000)]
    before = gc.get_threshold()
    try:
        assert settle_for_live() == before
        assert gc.get_threshold() == LIVE_THRESHOLDS
        assert gc.get_freeze_count() >= len(kept)  # no longer walked by any collection
    finally:
        restore(before)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
