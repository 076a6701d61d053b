"""Imported at the start of every Python process that tests/test_faults.py starts (this folder is
on their ``PYTHONPATH``): with ``CALD_TEST_ANALYSIS_DELAY_S`` set, each analysis of ``cald run``
sleeps that long first, so that a run interrupted after its first outcomes is still half-way
when the signal arrives, however loaded the machine is. Without the variable it does nothing."""

import os

_DELAY_S = float(os.environ.get("CALD_TEST_ANALYSIS_DELAY_S") or 0.0)

if _DELAY_S > 0.0:
    import time

    import cald.project.pipeline as _pipeline

    _run_one = _pipeline._run_one

    def _delayed(plan):  # type: ignore[no-untyped-def]
        time.sleep(_DELAY_S)
        return _run_one(plan)

    _pipeline._run_one = _delayed
