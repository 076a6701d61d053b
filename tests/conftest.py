"""Shared fixtures: edit TopSpin parameter files of copied data sets, copy data sets, and
fingerprint folders (to prove that raw data are never modified)."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

#: Under ``CALD_STRICT_TESTS=1`` (set by ``.ci/run``) a skipped test or module fails, so that CI
#: cannot pass without running the browser test or the mrsimulator-based tests; only skips whose
#: reason names a fact of the machine that no installation changes are allowed.
STRICT = os.environ.get("CALD_STRICT_TESTS") == "1"
STRICT_ALLOWED_SKIPS = ("running with privileges that read a chmod 000 file",
                        "cannot mount a tmpfs")


def _strict_failure(report: pytest.BaseReport) -> None:
    reason = str(report.longrepr)
    if STRICT and report.skipped and not hasattr(report, "wasxfail") \
            and not any(allowed in reason for allowed in STRICT_ALLOWED_SKIPS):
        report.outcome = "failed"
        report.longrepr = f"skipped under CALD_STRICT_TESTS=1 (install what it needs): {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    _strict_failure(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    outcome = yield
    _strict_failure(outcome.get_result())


BRUKER_DATA = Path(__file__).parent / "data" / "bruker"
JCAMP_DATA = Path(__file__).parent / "data" / "jcamp"


def _set_parameter(path: Path, name: str, value: object, index: int | None = None) -> None:
    """Change ``##$NAME=`` in a TopSpin parameter file (``acqus``, ``procs`` …) in place; with
    ``index``, element ``index`` of an array parameter such as ``##$D= (0..63)``. Only for copies
    of data sets."""
    path = Path(path)
    lines = path.read_text(encoding="latin-1").splitlines()
    key = f"##${name}="
    i = next((n for n, line in enumerate(lines) if line.startswith(key)), None)
    if i is None:
        raise KeyError(f"{name} not in {path}")
    if index is None:
        lines[i] = f"{key} {value}"
    else:
        j = i + 1
        while j < len(lines) and not lines[j].startswith("##"):
            j += 1
        tokens = " ".join(lines[i + 1:j]).split()
        tokens[index] = str(value)
        lines[i + 1:j] = [" ".join(tokens[k:k + 10]) for k in range(0, len(tokens), 10)]
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")


def _digest(folder: Path) -> dict[str, str]:
    folder = Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True, scope="session")
def _table_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Precomputed tables (cald.tables) go to a fresh folder of this session, never to the user's
    cache directory; CLI subprocesses inherit it."""
    os.environ["CALD_CACHE_DIR"] = str(tmp_path_factory.mktemp("cald-cache"))


@pytest.fixture
def set_parameter() -> Callable[..., None]:
    """``set_parameter(path, name, value, index=None)`` edits a parameter file in place."""
    return _set_parameter


@pytest.fixture
def copy_dataset(tmp_path: Path) -> Callable[[Path, str], Path]:
    """``copy_dataset(folder, name)`` copies a data set folder to ``tmp_path/name``."""

    def copy(folder: Path, name: str) -> Path:
        return Path(shutil.copytree(folder, tmp_path / name))

    return copy


@pytest.fixture
def digest() -> Callable[[Path], dict[str, str]]:
    """``digest(folder)``: relative path → sha256 of every file below ``folder``."""
    return _digest


def demo_project() -> dict:
    """The bundled example project (``cald.project.demo``) as parsed TOML: tests derive the
    demo's analyses and inputs from it instead of hard-coding them, so the demo can grow."""
    import tomllib

    from cald.project import demo

    return tomllib.loads(demo._PROJECT)


#: Analysis ids of the demo project, in file order.
DEMO_IDS = [a["id"] for a in demo_project()["analyses"]]
#: Number of data-set inputs over all demo analyses.
DEMO_N_INPUTS = sum(len(a["inputs"]) for a in demo_project()["analyses"])
