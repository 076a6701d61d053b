"""The Examples sections of cald's docstrings run as doctests (they are also shown in the API
reference of the documentation, ``make docs``).

Every module of the package is searched, so a new Examples section is tested without being
listed here. The examples write only into temporary folders."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cald

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _examples() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = []
    for info in pkgutil.walk_packages(cald.__path__, "cald."):
        module = importlib.import_module(info.name)
        tests += [t for t in finder.find(module) if t.examples]
    return sorted(tests, key=lambda t: t.name)


EXAMPLES = _examples()


def test_the_main_functions_have_examples():
    names = {t.name for t in EXAMPLES}
    for name in ("cald.recoupling.fit.fit_respdor", "cald.lineshape.peaks.fit_peaks",
                 "cald.nmr.processing.process_fid", "cald.qd.uvvis.size_exciton",
                 "cald.surface.backgrounds.shirley", "cald.atomistic.options.BuildOptions.build"):
        assert name in names


@pytest.mark.parametrize("test", EXAMPLES, ids=[t.name for t in EXAMPLES])
def test_docstring_examples(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    out: list[str] = []
    runner.run(test, out=out.append, clear_globs=True)
    assert runner.failures == 0, "".join(out)
