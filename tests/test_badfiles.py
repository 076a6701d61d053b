"""Every reader against damaged copies of a valid sample (the shared harness in
``tests/badfiles.py``): a valid result or exit 2 with one ``error:`` line, never a traceback,
a hang or an allocation out of proportion to the file."""

from __future__ import annotations

import pytest

from badfiles import FAST_MUTANTS, READERS, SLOW_MUTANTS, Format, Outcome, Reader, check_mutant, run_reader

IDS = [r.name for r in READERS]


@pytest.mark.parametrize("reader", READERS, ids=IDS)
def test_fast_mutants(tmp_path, reader):
    failures = run_reader(reader, tmp_path, FAST_MUTANTS)
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("reader", READERS, ids=IDS)
def test_many_mutants(tmp_path, reader):
    failures = run_reader(reader, tmp_path, SLOW_MUTANTS, seed=1)
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} failures)"


def test_harness_reports_tracebacks_and_extra_lines(tmp_path):
    """The harness itself: a reader that crashes, and a command that prints more than one line
    before its error, are reported."""
    def crash(sample):
        raise RuntimeError("boom")

    def make(folder):
        folder.mkdir(parents=True)
        (folder / "x.txt").write_text("1 2 3\n")
        return folder / "x.txt"

    reader = Reader("crash", make, ".", Format("binary"), call=crash)
    failures = run_reader(reader, tmp_path, 1)
    assert len(failures) == 1 and "does not read" in failures[0]
    assert check_mutant(Outcome(2, stderr="warning: x\nerror: y\n"), 10) is not None
    assert check_mutant(Outcome(2, stderr="error: y\n"), 10) is None
    assert check_mutant(Outcome(0, peak_growth_bytes=10**10), 10) is not None
    assert check_mutant(Outcome(None, problem="traceback: ..."), 10) is not None


def test_harness_catches_hangs_and_allocations(tmp_path):
    """A mutant that never returns is stopped and reported; one that allocates (and touches)
    hundreds of MB for a 5-byte file is reported."""
    import numpy as np

    calls = {"hang": 0, "alloc": 0}

    def make(folder):
        folder.mkdir(parents=True)
        (folder / "x").write_text("1 2 3")
        return folder / "x"

    def hang(sample):
        calls["hang"] += 1
        while calls["hang"] > 1:
            pass

    def alloc(sample):
        calls["alloc"] += 1
        if calls["alloc"] > 1:
            big = np.ones(40_000_000)
            big += 1.0

    (failure,) = run_reader(Reader("hang", make, ".", Format("binary"), call=hang),
                            tmp_path / "h", 1, time_limit_s=0.5)
    assert "no result after 0.5 s of CPU time" in failure
    (failure,) = run_reader(Reader("alloc", make, ".", Format("binary"), call=alloc),
                            tmp_path / "a", 1)
    assert "peak memory grew by" in failure
