"""config.heap: what ``hotline serve`` does to the collector once it has started."""

from __future__ import annotations

import gc

from config import heap


def test_settle_moves_what_survives_start_up_out_of_the_collectors_generations() -> None:
    gc.unfreeze()
    kept = [[n] for n in range(10_000)]  # long-lived, tracked objects like a started app's
    try:
        frozen = heap.settle()
        assert frozen == gc.get_freeze_count() >= len(kept)
        assert all(gc.get_count()[n] < len(kept) for n in range(3))  # the generations start empty again
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
