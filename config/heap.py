"""The garbage collector after start-up.

A long-running process (``hotline serve``) builds most of its long-lived objects while it starts:
modules, settings, the catalogue, compiled statements, templates. A full collection walks every
tracked object, so each one that runs in the middle of a request costs time in proportion to
all of that, and shows up as the slowest requests (bench/matching.py measured a p99 four times its
p50). ``settle()`` collects once and moves what survived into the permanent generation
(``gc.freeze``, meant for exactly this), so later collections walk only what was made since.
Tests build many short-lived apps and do not call it: frozen objects are never freed.
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect, then freeze what is left; returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
