"""The shared bad-file harness: every reader of cald gets damaged copies of a valid sample.

For every registered reader the harness writes a small valid sample, checks that it reads
(exit 0), then makes seeded mutants of one file of it and runs the reader on each, in this
process (fast): ``cald.cli.app.main(argv)`` with stdout/stderr captured, or a library call for
readers without a command of their own. Every mutant must end in

* a valid result (exit 0), or
* exit 2 with exactly one line on stderr, starting with ``error:`` (a library call: a
  :class:`cald.errors.InputError`),

and never in a traceback (any other exception), never after more than :data:`TIME_LIMIT_S`
of CPU time (a ``SIGPROF`` timer interrupts a hang; CPU time, not wall time, so that a mutant on
a machine loaded by other work does not count as hung) and never with the process's peak resident memory
growing by more than :func:`memory_limit` bytes while it runs (Linux: the high-water mark
VmHWM, reset before each mutant through ``/proc/self/clear_refs``; elsewhere the
``getrusage`` high-water mark of the process; measured after the valid sample has been read
once: a TD or SI that the file cannot hold must be an error, not an allocation;
``tracemalloc`` would see the same but triples the run time).

Mutations (:func:`mutate`, chosen by a seeded ``random.Random``):

* ``truncate``: the file cut at a random byte;
* ``flip``: 1, 2 or 8 random bytes XOR-ed with random values;
* ``param``: one parameter or value replaced by an out-of-range one (for Bruker parameter
  files preferably TD = −5, SW_h = 0, BYTORDA = 7, SI = 3, NC = 400 and friends, see
  :data:`BRUKER_BAD`; for text tables a number replaced by ``-5``, ``0``, ``nan`` …);
* ``duplicate``: a block of lines (or bytes of a binary file) repeated.

Registering a reader (e.g. a later VAMAS or UV-vis reader): add one :class:`Reader` to
:data:`READERS` with a name, a function that writes a valid sample into a folder and returns
its path, the file of the sample to damage, its :class:`Format` and either the ``cald``
arguments that read it (``argv``) or a library ``call``::

    Reader("vamas", make_sample=lambda d: write_vamas(d / "x.vms"), target=".",
           fmt=Format("text", TABLE_VALUE), argv=lambda s: ["xps", "read", str(s), "--json"])

``tests/test_badfiles.py`` then runs a fast subset (:data:`FAST_MUTANTS` per reader) always and
a few hundred per reader in the slow suite.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import resource
import shutil
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import InputError

__all__ = ["READERS", "Format", "Outcome", "Reader", "check_mutant", "mutate", "run_reader"]

#: Seconds of CPU time (all threads of this process) a mutant may take before it counts as a hang.
TIME_LIMIT_S = 10.0
#: Mutants per reader in the always-run subset and in the slow suite.
FAST_MUTANTS = 10
SLOW_MUTANTS = 300

#: Out-of-range values for Bruker parameters (the issue's list and relatives).
BRUKER_BAD: dict[str, list[str]] = {
    "TD": ["-5", "0", "3", "1000000000000"], "SW_h": ["0", "-1", "nan", "1e-300", "inf"],
    "BYTORDA": ["7", "-1"], "DTYPA": ["1", "3"], "SI": ["3", "0", "-5", "1073741824"],
    "NC": ["400", "-400"], "NC_proc": ["400", "-400", "5000"], "BYTORDP": ["7"],
    "DTYPP": ["5"], "GRPDLY": ["-1", "1e12", "nan"], "DSPFVS": ["0", "-1", "99"],
    "DECIM": ["0", "1e12"], "BF1": ["0", "-1"], "SFO1": ["0"], "SF": ["0", "-1"],
    "SW_p": ["0", "-1"], "OFFSET": ["nan", "1e308"], "LB": ["1e308", "-1e308", "nan"],
    "WDW": ["7", "-1"], "GB": ["2", "nan"], "PHC0": ["1e308"], "XDIM": ["0", "3", "-1"],
    "NUC1": ["<99Xx>", "<>"], "D": ["(0..3)\n1 2"],
}
#: Out-of-range replacements for any other value.
GENERIC_BAD = ["-5", "0", "1e308", "-1e308", "nan", "inf", "x", "", "<", "(0..99999999)"]

#: A ``##$KEY= value`` line of a Bruker parameter file.
BRUKER_VALUE = re.compile(r"^##\$(?P<key>\w+)= ?(?P<value>.*)$", re.MULTILINE)
#: A number in a text table, list, TOML or JCAMP-DX file.
TABLE_VALUE = re.compile(r"(?P<value>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)")


@dataclass(frozen=True)
class Format:
    """How to damage a file: ``"bruker-params"``, ``"text"`` (numbers by ``value_pattern``) or
    ``"binary"`` (no parameter replacement)."""

    kind: str
    value_pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Reader:
    """One reader under test.

    Attributes
    ----------
    name
        Id in test names.
    make_sample
        Writes a valid sample into the given folder and returns the path the reader opens.
    target
        The file to damage, relative to that path (``"."``: the path itself).
    fmt
        How to damage it.
    argv
        ``cald`` arguments that read the sample (given its path and a scratch folder).
    call
        Library call instead of a command (raises :class:`InputError` on bad input).
    """

    name: str
    make_sample: Callable[[Path], Path]
    target: str
    fmt: Format
    argv: Callable[[Path, Path], list[str]] | None = None
    call: Callable[[Path], Any] | None = None


@dataclass
class Outcome:
    """What one run did."""

    code: int | None
    stdout: str = ""
    stderr: str = ""
    peak_growth_bytes: int = 0
    problem: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


class _Hung(BaseException):
    """Raised by the timer when a mutant takes longer than the limit."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise _Hung

    old = signal.signal(signal.SIGPROF, alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def memory_limit(sample_bytes: int) -> int:
    """Growth of the peak resident memory allowed while reading a mutant: 64 MB of working
    room plus 50 × the sample's size (a fid of a few kB must not become gigabytes)."""
    return 64 * 2**20 + 50 * sample_bytes


def _run(reader: Reader, sample: Path, scratch: Path,
         time_limit_s: float = TIME_LIMIT_S) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    peak_before = _reset_peak_rss_bytes()
    try:
        with _time_limit(time_limit_s), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            if reader.argv is not None:
                from cald.cli.app import main

                code = main(reader.argv(sample, scratch))
            else:
                assert reader.call is not None
                try:
                    reader.call(sample)
                    code = 0
                except InputError as exc:
                    err.write(f"error: {exc}\n")
                    code = 2
        outcome = Outcome(code, out.getvalue(), err.getvalue())
    except _Hung:
        outcome = Outcome(None, out.getvalue(), err.getvalue(),
                          problem=f"no result after {time_limit_s:g} s of CPU time")
    except BaseException:  # noqa: BLE001 - a traceback is exactly what the harness reports
        outcome = Outcome(None, out.getvalue(), err.getvalue(),
                          problem="traceback:\n" + traceback.format_exc(limit=-6))
    outcome.peak_growth_bytes = _peak_rss_bytes() - peak_before
    return outcome


def _peak_rss_bytes() -> int:
    """Peak resident memory: VmHWM of /proc/self/status, else the getrusage maximum."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def _reset_peak_rss_bytes() -> int:
    """Reset the peak to the current resident memory where Linux allows it; the peak now."""
    with contextlib.suppress(OSError):
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    return _peak_rss_bytes()


def check_mutant(outcome: Outcome, sample_bytes: int) -> str | None:
    """The rule every mutant must follow; ``None`` when it does, else what went wrong."""
    if outcome.problem:
        return outcome.problem
    if outcome.peak_growth_bytes > memory_limit(sample_bytes):
        return (f"peak memory grew by {outcome.peak_growth_bytes / 2**20:.0f} MB for a "
                f"{sample_bytes} byte sample")
    if outcome.code == 0:
        return None
    lines = outcome.stderr.splitlines()
    if outcome.code == 2 and len(lines) == 1 and lines[0].startswith("error: "):
        return None
    return f"exit {outcome.code} with stderr {outcome.stderr!r}"


def mutate(data: bytes, fmt: Format, rng: random.Random) -> tuple[str, bytes]:
    """One damaged copy of ``data`` and a description of the damage."""
    ops = ["truncate", "flip", "duplicate"] + (["param", "param"] if fmt.kind != "binary" else [])
    op = rng.choice(ops)
    if op == "truncate" or not data:
        cut = rng.randrange(len(data) or 1)
        return f"truncated at byte {cut}", data[:cut]
    if op == "flip":
        buf = bytearray(data)
        where = [rng.randrange(len(buf)) for _ in range(rng.choice([1, 2, 8]))]
        for i in where:
            buf[i] ^= rng.randrange(1, 256)
        return f"bytes flipped at {where}", bytes(buf)
    if op == "duplicate":
        if fmt.kind == "binary":
            start = rng.randrange(len(data))
            end = min(len(data), start + rng.choice([4, 64, 1024]))
            return f"bytes {start}:{end} duplicated", data[:end] + data[start:end] + data[end:]
        lines = data.splitlines(keepends=True)
        start = rng.randrange(len(lines))
        end = min(len(lines), start + rng.randint(1, 10))
        return (f"lines {start + 1}–{end} duplicated",
                b"".join(lines[:end] + lines[start:end] + lines[end:]))
    text = data.decode("latin-1")
    if fmt.kind == "bruker-params":
        matches = list(BRUKER_VALUE.finditer(text))
        known = [m for m in matches if m.group("key") in BRUKER_BAD]
        m = rng.choice(known if known and rng.random() < 0.7 else matches)
        bad = rng.choice(BRUKER_BAD.get(m.group("key"), GENERIC_BAD))
        desc = f"##${m.group('key')}= {bad!r}"
    else:
        assert fmt.value_pattern is not None
        matches = list(fmt.value_pattern.finditer(text))
        if not matches:
            return "unchanged (no value)", data
        m = rng.choice(matches)
        bad = rng.choice(GENERIC_BAD)
        desc = f"value {m.group('value')!r} at char {m.start('value')} → {bad!r}"
    new = text[:m.start("value")] + bad + text[m.end("value"):]
    return desc, new.encode("latin-1")


def run_reader(reader: Reader, folder: Path, n_mutants: int, seed: int = 0,
               time_limit_s: float = TIME_LIMIT_S) -> list[str]:
    """Write the sample, check that it reads, run ``n_mutants`` seeded mutants; the failures,
    one readable line (and traceback) each."""
    sample = reader.make_sample(folder / "sample")
    scratch = folder / "scratch"
    scratch.mkdir(exist_ok=True)
    first = _run(reader, sample, scratch, time_limit_s)
    if first.code != 0 or first.problem:
        return [f"{reader.name}: the valid sample does not read: {first.problem or first.stderr}"]
    base = sample if sample.is_dir() else sample.parent
    target = (sample / reader.target) if reader.target != "." else sample
    size = sum(f.stat().st_size for f in (base.rglob("*") if sample.is_dir() else [sample]))
    original = target.read_bytes()
    rng = random.Random(f"{reader.name}-{seed}")
    failures = []
    for i in range(n_mutants):
        desc, data = mutate(original, reader.fmt, rng)
        target.write_bytes(data)
        problem = check_mutant(_run(reader, sample, scratch, time_limit_s), size)
        if problem:
            failures.append(f"{reader.name} mutant {i} ({target.name}: {desc}): {problem}")
    target.write_bytes(original)
    return failures


# --- the registered readers -----------------------------------------------------------------


def _setup(**kw: Any) -> Any:
    from cald.synth.bruker import AcquisitionSetup

    return AcquisitionSetup(**{"nucleus": "13C", "td": 1024, "sw_hz": 20_000.0, **kw})


def _bruker_1d(folder: Path) -> Path:
    """A small 13C FID with procs, and TopSpin-style 1r/1i written from it."""
    from cald.io.bruker import raw_signal, read_bruker
    from cald.nmr.processing import process_fid
    from cald.synth.bruker import Line, lines_fid, write_experiment

    setup = _setup()
    path = write_experiment(folder / "1", setup, lines_fid(setup, [Line(150.0, 1.0, 80.0),
                                                                   Line(60.0, 0.5, 60.0)]),
                            0.01, 1, lb_hz=5.0)
    ds = read_bruker(path)
    spec = process_fid(raw_signal(ds), ds.processing)
    (path / "pdata" / "1" / "1r").write_bytes(np.rint(spec.real()).astype("<i4").tobytes())
    (path / "pdata" / "1" / "1i").write_bytes(np.rint(-spec.values.imag).astype("<i4").tobytes())
    return path


def _bruker_series(folder: Path, list_name: str = "vclist") -> Path:
    from cald.synth.bruker import Line, lines_fid, write_experiment

    setup = _setup(mas_hz=10_000.0)
    fid = lines_fid(setup, [Line(185.0, 1.0, 80.0)])
    rows = np.array([fid * s for s in (1.0, 0.8, 1.0, 0.5, 1.0, 0.3)])
    values = ([4, 8, 12], "") if list_name == "vclist" else ([0.4, 0.8, 1.2], "m")
    return write_experiment(folder / "2", setup, rows, 0.01, 2, acqu2s={"TD": 6},
                            lists={list_name: values}, lb_hz=20.0)


def _dosy(folder: Path) -> Path:
    from cald.synth.bruker import Line, lines_fid, write_experiment

    setup = _setup(nucleus="1H", sw_hz=4000.0, carrier_ppm=5.0)
    fid = lines_fid(setup, [Line(5.4, 1.0, 10.0)])
    rows = np.array([fid * np.exp(-0.1 * k) for k in range(4)])
    return write_experiment(folder / "3", setup, rows, 0.01, 3, acqu2s={"TD": 4},
                            lists={"difflist": ([2.0, 10.0, 20.0, 30.0], "")})


def _dosy_series(folder: Path) -> Path:
    """A synthetic ledbpgp2s series with its pulseprogram (6 rows)."""
    from cald.synth.nmr_sets import write_dosy_series

    return write_dosy_series(folder / "4", [2.0, 10.0, 20.0, 30.0, 40.0, 50.0], 2e-10,
                             gradient_shape="SMSQ10.100", seed=4)


def _dosy_fit(sample: Path, scratch: Path) -> list[str]:
    return ["dosy", "fit", str(sample), "--region", "5.6:5.2", "--json"]


def _dosy_csv(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "decay.csv"
    g = np.linspace(0.02, 0.5, 8)
    y = 100.0 * np.exp(-2.5e-10 * (267.5e6 * 0.0018 * g) ** 2 * 0.0994)
    path.write_text("gradient_T_m,intensity,noise\n"
                    + "".join(f"{a:.4f},{b:.5f},0.05\n" for a, b in zip(g, y, strict=True)))
    return path


def _dosy_csv_fit(sample: Path, scratch: Path) -> list[str]:
    return ["dosy", "fit", str(sample), "--little-delta-ms", "1.8", "--big-delta-ms", "100",
            "--solvent", "toluene-d8", "--temperature-k", "298.15", "--json"]


def _jcamp_nmr(folder: Path) -> Path:
    """A small AFFN 13C JCAMP-DX spectrum (256 points, (X++(Y..Y)) lines)."""
    n, sf = 256, 100.6
    y = np.rint(1e4 * (np.exp(-((np.arange(n) - 80) / 4.0) ** 2)
                       + 0.5 * np.exp(-((np.arange(n) - 170) / 3.0) ** 2))).astype(int)
    first, last = 200.0 * sf, 0.0
    step = (last - first) / (n - 1)
    lines = ["##TITLE= cald bad-file sample", "##JCAMP-DX= 5.00", "##DATA TYPE= NMR SPECTRUM",
             f"##.OBSERVE FREQUENCY= {sf}", "##.OBSERVE NUCLEUS= ^13C", "##XUNITS= HZ",
             "##YUNITS= ARBITRARY UNITS", "##XFACTOR= 1", "##YFACTOR= 0.5",
             f"##FIRSTX= {first}", f"##LASTX= {last}", f"##NPOINTS= {n}", f"##FIRSTY= {y[0] * 0.5}",
             "##XYDATA= (X++(Y..Y))"]
    for i in range(0, n, 10):
        lines.append(f"{first + i * step:.4f} " + " ".join(str(v) for v in y[i:i + 10]))
    lines.append("##END=")
    path = folder / "spectrum.dx"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return path


def _jcamp_ir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(Path(__file__).parent / "data" / "jcamp" / "SPECFILE.DX",
                            folder / "ir.dx"))


def _csv_spectrum(folder: Path) -> Path:
    from cald.io.table import write_table

    ppm = np.linspace(200.0, 0.0, 400)
    y = np.exp(-((ppm - 150.0) / 2.0) ** 2) + 0.5 * np.exp(-((ppm - 60.0) / 1.5) ** 2)
    return write_table(folder / "spectrum.csv", {"ppm": ppm, "intensity": y}, ["bad-file sample"])


def _csv_curve(folder: Path) -> Path:
    from cald.io.table import write_table

    t_ms = np.arange(1, 13) * 0.4
    return write_table(folder / "curve.csv",
                       {"t_ms": t_ms, "dS_S0": 0.3 * (1 - np.exp(-t_ms / 1.5)),
                        "sigma": np.full(t_ms.size, 0.01)})


def _pass_rows(n2: int = 256) -> Any:
    from cald.spectrum import Spectrum

    ppm = np.linspace(300.0, -1300.0, n2)
    orders = list(range(-3, 4))
    rows = np.array([np.exp(-((ppm + 320.0 - 0.0 * k) / 20.0) ** 2) / (1 + abs(k))
                     for k in orders])
    return Spectrum(rows, ppm, "ppm", "113Cd", 88.8, None, "bad-file sample", (),
                    {"sideband_orders": orders})


def _pass_table(folder: Path) -> Path:
    from cald.io.table import write_table

    rows = _pass_rows()
    cols = {"ppm": rows.axis, **{f"order_{k}": r for k, r in zip(rows.meta["sideband_orders"],
                                                                  rows.values, strict=True)}}
    return write_table(folder / "pass.csv", cols)


def _pass_2rr(folder: Path) -> Path:
    from cald.synth.bruker import write_pass_pdata

    return write_pass_pdata(folder / "4", _pass_rows(), 8000.0, xdim=(7, 64))


def _project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _csv_curve(folder / "data")
    path = folder / "project.toml"
    path.write_text('[project]\nname = "bad-file sample"\n\n[[samples]]\nname = "CdSe"\n'
                    'cycles = 0\n\n[[datasets]]\nid = "curve"\npath = "data/curve.csv"\n'
                    'kind = "csv"\nsample = "CdSe"\n\n[[analyses]]\nid = "fit"\n'
                    'kind = "respdor"\ninputs = ["curve"]\n[analyses.parameters]\n'
                    'pair = "13C-27Al"\nbootstrap = 0\nt_ms = [1.0, 2.0]\n', encoding="utf-8")
    return path


def _nmr_process(sample: Path, scratch: Path) -> list[str]:
    return ["nmr", "process", str(sample), "--json"]


def _extract(sample: Path, scratch: Path) -> list[str]:
    return ["respdor", "extract", str(sample), "--region", "195:175", "--out",
            str(scratch / "curve.csv"), "--json"]


def _dosy_call(sample: Path) -> Any:
    from cald.io.bruker import read_bruker
    from cald.nmr.pseudo2d import dosy_series

    return dosy_series(read_bruker(sample), (5.8, 5.0))


def _uvvis_curve() -> tuple[Any, Any]:
    nm = np.arange(350.0, 700.5, 1.0)
    a = 0.6 * np.exp(-((nm - 560.0) / 12.0) ** 2 / 2) + 0.2 * np.exp(-(nm - 350.0) / 80.0)
    return nm, a


def _uvvis_csv(folder: Path) -> Path:
    nm, a = _uvvis_curve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "uvvis.csv"
    path.write_text("wavelength_nm,absorbance\n"
                    + "".join(f"{x:.1f},{y:.5f}\n" for x, y in zip(nm, a, strict=True)))
    return path


def _uvvis_jasco(folder: Path) -> Path:
    nm, a = _uvvis_curve()
    head = ("TITLE\tQD\nDATA TYPE\tUV/VIS SPECTRUM\nORIGIN\tJASCO\nXUNITS\tNANOMETERS\n"
            "YUNITS\tABSORBANCE\nFIRSTX\t700.0000\nLASTX\t350.0000\nNPOINTS\t351\nXYDATA\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "uvvis.txt"
    path.write_text(head + "".join(f"{x:.4f}\t{y:.6f}\n" for x, y in zip(nm[::-1], a[::-1],
                                                                        strict=True)))
    return path


def _ftir_csv(folder: Path) -> Path:
    from cald.synth.infrared import CHELATING_CARBOXYLATE, OLEATE_CHAIN, write_ir_csv

    folder.mkdir(parents=True, exist_ok=True)
    return write_ir_csv(folder / "ftir.csv", OLEATE_CHAIN + CHELATING_CARBOXYLATE,
                        transmittance=True, start_cm1=1000.0, stop_cm1=3200.0, step_cm1=2.0)


def _ftir_jcamp(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)  # polystyrene, DIF/DUP, %T, 4400 → 450 cm⁻¹
    return Path(shutil.copy(Path(__file__).parent / "data" / "ftir" / "dupdec1.jdx",
                            folder / "ir.jdx"))


def _ftir_analyze(sample: Path, scratch: Path) -> list[str]:
    return ["ftir", "analyze", str(sample), "--json"]


def _uvvis_size(sample: Path, scratch: Path) -> list[str]:
    return ["uvvis", "size", str(sample), "--material", "CdSe", "--path-cm", "1", "--json"]


def _pass_call(sample: Path) -> Any:
    from cald.io.spectrum_file import read_pass_table

    return read_pass_table(sample)


def _project_call(sample: Path) -> Any:
    from cald.project.config import load_project

    return load_project(sample)


def _xps_real(name: str) -> Callable[[Path], Path]:
    """A real VAMAS file of ``tests/data/xps`` copied into the folder."""
    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(Path(__file__).parent / "data" / "xps" / name, folder / name))

    return make


def _casa_export(folder: Path) -> Path:
    """CasaXPS's column export of a Fe 2p fit (tests/data/xps_models), its first 60 points."""
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).parent / "data" / "xps_models" / "FeO_analyzed_lineshapes_BE_CPS.txt"
    target = folder / "fe2p.txt"
    target.write_bytes(b"".join(source.read_bytes().splitlines(keepends=True)[:68]))
    return target


def _xps_csv(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "c1s.csv"
    be = np.arange(280.0, 292.0, 0.1)
    counts = 200.0 + 5000.0 * np.exp(-((be - 284.8) / 0.6) ** 2)
    path.write_text("binding_energy_ev,counts\n"
                    + "".join(f"{x:.2f},{y:.0f}\n" for x, y in zip(be, counts, strict=True)))
    return path


def _xps_read(sample: Path, scratch: Path) -> list[str]:
    return ["xps", "read", str(sample), "--json"]


def _xps_cd3d(folder: Path) -> Path:
    """A synthetic VAMAS Cd 3d block with its CasaXPS model (two GL(30) doublets, Shirley)."""
    from cald.synth.xps import demo_regions, write_vamas

    folder.mkdir(parents=True, exist_ok=True)
    return write_vamas(folder / "cd3d.vms", demo_regions(0, seed=1)[:1])


def _xps_fit_casa(sample: Path, scratch: Path) -> list[str]:
    return ["xps", "fit", str(sample), "--region", "Cd 3d", "--casa-model", "--json"]


def _structure_extxyz(folder: Path) -> Path:
    """A small built model (slab, one acetate with AlMe2) as extended xyz."""
    from cald.atomistic.build import build_slab
    from cald.atomistic.recipes import RECIPES
    from cald.io.structure import write_structure

    atoms = build_slab("100", (1, 1), 2, ligand="acetate", n_ligands=1, tma=(RECIPES["alme2"],),
                       fixed_layers=1)
    return write_structure(atoms, folder / "model.extxyz")


def _structure_cif(folder: Path) -> Path:
    """Zinc-blende CdSe (cubic cell) as CIF, written by ase."""
    from ase.build import bulk
    from ase.io import write

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cdse.cif"
    write(path, bulk("CdSe", "zincblende", a=6.077, cubic=True), format="cif")
    return path


def _structure_traj(folder: Path) -> Path:
    """Two frames of a small model as an ASE trajectory (``.traj``), written by cald."""
    from ase.build import molecule

    from cald.io.structure import write_structure

    folder.mkdir(parents=True, exist_ok=True)
    moved = molecule("H2O")
    moved.positions[0, 2] += 0.1
    return write_structure([molecule("H2O"), moved], folder / "frames.traj")


def _read_call(sample: Path) -> Any:
    import cald

    return cald.read(sample)


def _structure_call(sample: Path) -> Any:
    from cald.io.structure import read_structure

    return read_structure(sample)


def _varian_1d(folder: Path) -> Path:
    """A small synthetic 13C VnmrJ folder (one FID)."""
    from cald.synth.bruker import Line, lines_fid
    from cald.synth.varian import write_varian_experiment

    setup = _setup(group_delay=0.0)
    return write_varian_experiment(folder / "one.fid", setup,
                                   lines_fid(setup, [Line(150.0, 1.0, 80.0), Line(60.0, 0.5, 60.0)]),
                                   0.01, 1, lb_hz=5.0)


def _varian_array(folder: Path) -> Path:
    """A synthetic VnmrJ REDOR array: S0/S interleaved by a flag, loop counts ncyc, srate."""
    from cald.synth.bruker import Line, lines_fid
    from cald.synth.varian import INTEGER, STRING, write_varian_experiment

    setup = _setup(mas_hz=10_000.0, group_delay=0.0)
    fid = lines_fid(setup, [Line(185.0, 1.0, 80.0)])
    rows = np.array([fid * s for s in (1.0, 0.8, 1.0, 0.5, 1.0, 0.3)])
    return write_varian_experiment(folder / "redor.fid", setup, rows, 0.01, 2,
                                   arrays={"ncyc": (INTEGER, [4, 8, 12]),
                                           "dephase": (STRING, ["n", "y"])})


def _varian_real(folder: Path) -> Path:
    """The real 31P VnmrJ folder of ``tests/data/varian`` copied."""
    return Path(shutil.copytree(Path(__file__).parent / "data" / "varian" / "p31_s2pul_243mhz.fid",
                                folder / "p31.fid"))


def _simpson(binary: bool) -> Callable[[Path], Path]:
    """A SIMPSON spectrum of two lines (text or binary ``fsave``)."""
    def make(folder: Path) -> Path:
        from cald.synth.simpson import write_simpson

        folder.mkdir(parents=True, exist_ok=True)
        hz = np.linspace(-5000.0, 5000.0, 256, endpoint=False)
        values = 1 / (1 + ((hz - 400) / 20) ** 2) + 0.5 / (1 + ((hz + 1200) / 30) ** 2)
        return write_simpson(folder / ("sim.spe"), values, 10_000.0, spectrum=True,
                             binary=binary)

    return make


def _simpson_read(sample: Path, scratch: Path) -> list[str]:
    return ["simpson", "read", str(sample), "--nucleus", "13C", "--field-1h-mhz", "400",
            "--json"]


def _real_copy(folder_name: str, name: str) -> Callable[[Path], Path]:
    """A real file of ``tests/data/<folder_name>`` copied into the sample folder."""
    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(Path(__file__).parent / "data" / folder_name / name,
                                folder / name))

    return make


def _vendor_setup() -> Any:
    return _setup(nucleus="1H", td=2048, sw_hz=5000.0, carrier_ppm=4.8, group_delay=0.0)


def _spinsolve(folder: Path) -> Path:
    from cald.synth.bruker import Line, lines_fid
    from cald.synth.vendors import write_spinsolve

    setup = _vendor_setup()
    return write_spinsolve(folder / "ss", setup, lines_fid(setup, [Line(7.26, 1.0, 2.0)]),
                           p0_deg=3.0)


def _rs2d(folder: Path) -> Path:
    from cald.synth.bruker import Line, lines_fid
    from cald.synth.vendors import write_rs2d

    setup = _vendor_setup()
    return write_rs2d(folder / "rs", setup, lines_fid(setup, [Line(7.26, 1.0, 2.0)]))


def _row_1(sample: Path, scratch: Path) -> list[str]:
    return ["nmr", "process", str(sample), "--row", "1", "--json"]


_VENDOR_READERS = [
    Reader("jeol-jdf", _real_copy("jeol", "rutin_13c.jdf"), ".", Format("binary"),
           argv=_nmr_process),
    Reader("tecmag-tnt", _real_copy("tecmag", "dnp_1h_t1.tnt"), ".", Format("binary"),
           argv=_row_1),
    Reader("nmrml", _real_copy("nmrml", "gaba_1h.nmrML"), ".", Format("text", TABLE_VALUE),
           argv=_nmr_process),
    Reader("spinsolve-acqu", _spinsolve, "acqu.par", Format("text", TABLE_VALUE),
           argv=_nmr_process),
    Reader("spinsolve-data", _spinsolve, "data.1d", Format("binary"), argv=_nmr_process),
    Reader("rs2d-header", _rs2d, "header.xml", Format("text", TABLE_VALUE), argv=_nmr_process),
    Reader("rs2d-data", _rs2d, "data.dat", Format("binary"), argv=_nmr_process),
]


_PARAMS = Format("bruker-params")
_BINARY = Format("binary")
_TEXT = Format("text", TABLE_VALUE)

#: Every reader of cald with its sample: add one entry for a new reader (see the docstring).
READERS: list[Reader] = [
    Reader("bruker-acqus", _bruker_1d, "acqus", _PARAMS, argv=_nmr_process),
    Reader("bruker-procs", _bruker_1d, "pdata/1/procs", _PARAMS, argv=_nmr_process),
    Reader("bruker-fid", _bruker_1d, "fid", _BINARY, argv=_nmr_process),
    Reader("bruker-1r", _bruker_1d, "pdata/1/1r", _BINARY,
           argv=lambda s, d: ["nmr", "process", str(s), "--processed", "--json"]),
    Reader("bruker-procs-1r", _bruker_1d, "pdata/1/procs", _PARAMS,
           argv=lambda s, d: ["nmr", "process", str(s), "--processed", "--json"]),
    Reader("bruker-ser", _bruker_series, "ser", _BINARY, argv=_extract),
    Reader("bruker-acqu2s", _bruker_series, "acqu2s", _PARAMS, argv=_extract),
    Reader("bruker-vclist", _bruker_series, "vclist", _TEXT, argv=_extract),
    Reader("bruker-vdlist", lambda d: _bruker_series(d, "vdlist"), "vdlist", _TEXT,
           argv=_extract),
    Reader("bruker-difflist", _dosy, "difflist", _TEXT, call=_dosy_call),
    Reader("bruker-pulseprogram", _dosy_series, "pulseprogram", _TEXT, argv=_dosy_fit),
    Reader("bruker-dosy-acqus", _dosy_series, "acqus", _PARAMS, argv=_dosy_fit),
    Reader("dosy-csv", _dosy_csv, ".", _TEXT, argv=_dosy_csv_fit),
    Reader("jcamp-nmr", _jcamp_nmr, ".", _TEXT, argv=_nmr_process),
    Reader("jcamp-ir", _jcamp_ir, ".", _TEXT, argv=_nmr_process),
    Reader("csv-spectrum", _csv_spectrum, ".", _TEXT, argv=_nmr_process),
    Reader("csv-curve", _csv_curve, ".", _TEXT,
           argv=lambda s, d: ["respdor", "fit", str(s), "--pair", "13C-27Al", "--bootstrap",
                              "0", "--json"]),
    Reader("pass-table", _pass_table, ".", _TEXT, call=_pass_call),
    Reader("pass-2rr", _pass_2rr, "pdata/1/2rr", _BINARY, call=_pass_call),
    Reader("pass-proc2s", _pass_2rr, "pdata/1/proc2s", _PARAMS, call=_pass_call),
    Reader("project-toml", _project, ".", _TEXT, call=_project_call),
    Reader("uvvis-csv", _uvvis_csv, ".", _TEXT, argv=_uvvis_size),
    Reader("uvvis-jasco", _uvvis_jasco, ".", _TEXT, argv=_uvvis_size),
    Reader("vamas-casaxps-irregular", _xps_real("pynx_FeO_analyzed.vms"), ".", _TEXT,
           argv=_xps_read),
    Reader("vamas-staib", _xps_real("matkrin_aes_staib.vms"), ".", _TEXT, argv=_xps_read),
    Reader("xps-csv", _xps_csv, ".", _TEXT, argv=_xps_read),
    Reader("ftir-csv", _ftir_csv, ".", _TEXT, argv=_ftir_analyze),
    Reader("ftir-jcamp", _ftir_jcamp, ".", _TEXT, argv=_ftir_analyze),
    Reader("vamas-fit-casa", _xps_cd3d, ".", _TEXT, argv=_xps_fit_casa),
    Reader("structure-extxyz", _structure_extxyz, ".", _TEXT, call=_structure_call),
    Reader("structure-cif", _structure_cif, ".", _TEXT, call=_structure_call),
    Reader("structure-traj", _structure_traj, ".", _BINARY, call=_structure_call),
    # cald.read: format detection and dispatch, a whole Bruker series, a VAMAS file as spectra
    Reader("read-bruker-series", _bruker_series, "ser", _BINARY, call=_read_call),
    Reader("read-vamas", _xps_real("pynx_FeO_analyzed.vms"), ".", _TEXT, call=_read_call),
    Reader("casa-export", _casa_export, ".", _TEXT, call=_read_call),
    Reader("varian-procpar", _varian_1d, "procpar", _TEXT, argv=_nmr_process),
    Reader("varian-fid", _varian_1d, "fid", _BINARY, argv=_nmr_process),
    Reader("varian-array-procpar", _varian_array, "procpar", _TEXT, argv=_extract),
    Reader("varian-array-fid", _varian_array, "fid", _BINARY, argv=_extract),
    Reader("varian-real-procpar", _varian_real, "procpar", _TEXT, argv=_nmr_process),
    Reader("simpson-text", _simpson(False), ".", _TEXT, argv=_simpson_read),
    Reader("simpson-binary", _simpson(True), ".", _BINARY, argv=_simpson_read),
    *_VENDOR_READERS,
]
