"""Peak memory and time of extracting the RESPDOR curve of a ≥ 1 GB Bruker series (issue 14).

The series (256 rows × 512k complex points, int32: TD = 1 048 576 reals a row, 4 MiB a row,
1 GiB in all; interleaved S0/S rows of the oleate 13C lines with a vclist) is written row by
row (:func:`cald.synth.bruker.write_series_rows`) to a temporary folder and deleted at the end.
Each extraction runs in a fresh subprocess, which reports its own peak resident memory
(``getrusage(RUSAGE_SELF).ru_maxrss``: everything, Python and imports included), the peak of the
memory traced by ``tracemalloc`` (numpy's arrays are traced) and the wall time:

1. the 1 GB series, rows processed a block at a time (the default, ``ROW_BLOCK_POINTS``);
2. baseline in the same run: the whole-array path (``block_points=None``: all rows read and
   processed at once, as before issue 14) on a 16-row series with the same rows, and the
   block path on it, the whole-array memory scaled to 256 rows (the whole-array path on the
   1 GB series would need ≈ 16× the 1 GiB file, more than the machine's free memory);
3. the curves of the two paths on the 16-row series agree to 1e-12 relative;
4. the 1 GB series again with an automatic phase (ACME on the sum of all rows: two passes).

Run: ``python benchmarks/bench_bigseries.py`` (needs ≈ 1.1 GB free in the temporary folder).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_ROWS = 256
N_COMPLEX = 512 * 1024
SMALL_ROWS = 16
REGION = (190.0, 178.0)


def write_series(folder: Path, n_rows: int) -> float:
    """Write the series row by row; returns the seconds it took."""
    from cald.synth.bruker import (
        AcquisitionSetup,
        apply_group_delay,
        lines_fid,
        write_series_rows,
    )
    from cald.synth.nmr_sets import OLEATE_13C_LINES

    setup = AcquisitionSetup("13C", td=2 * N_COMPLEX, sw_hz=50_000.0, carrier_ppm=100.0,
                             mas_hz=10_000.0, pulse_program="respdor_redor")
    base = apply_group_delay(lines_fid(setup, OLEATE_13C_LINES), setup.group_delay)
    counts = list(range(2, 2 * (n_rows // 2) + 1, 2))
    rng = np.random.default_rng(14)
    noise_sd = 0.02

    def rows():
        for i in range(n_rows):
            amplitude = 1.0 if i % 2 == 0 else 1.0 - 0.5 * (1 - np.exp(-counts[i // 2] / 60))
            noise = rng.standard_normal((2, N_COMPLEX)) * noise_sd
            yield amplitude * base + (noise[0] + 1j * noise[1])

    t0 = time.perf_counter()
    write_series_rows(folder, setup, rows(), int_scale=2.0**24 / float(np.abs(base).max()),
                      acqu2s={"TD": n_rows}, lists={"vclist": (counts, "")},
                      procs=setup.procs(lb_hz=50.0, si=N_COMPLEX),
                      title=f"{n_rows} rows x {N_COMPLEX} complex points (benchmark)")
    return time.perf_counter() - t0


def extract(folder: str, block_points: str) -> None:
    """In the subprocess: extract the curve, print one JSON line with peak memory and time."""
    import resource
    import tracemalloc

    from cald.io.bruker import ROW_BLOCK_POINTS, read_bruker
    from cald.nmr.pseudo2d import respdor_series

    points = None if block_points == "none" else ROW_BLOCK_POINTS
    auto_phase = "acme" if block_points == "blocks-acme" else None
    tracemalloc.start()
    t0 = time.perf_counter()
    curve = respdor_series(read_bruker(folder), REGION, block_points=points, auto_phase=auto_phase)
    seconds = time.perf_counter() - t0
    _, traced = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(json.dumps({"seconds": seconds, "maxrss_bytes": rss, "traced_bytes": traced,
                      "s0": curve.s0.tolist(), "s": curve.s.tolist(),
                      "s_noise": curve.s_noise.tolist()}))


def run_extraction(folder: Path, block_points: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--extract", str(folder), block_points],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline_rss() -> int:
    """Peak resident memory of a subprocess that only imports what the extraction imports."""
    code = ("import resource, cald.nmr.pseudo2d, cald.io.bruker; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)")
    return int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                              text=True).stdout)


def main() -> None:
    mb = 2.0**20
    with tempfile.TemporaryDirectory(prefix="cald-bigseries-") as tmp:
        need = N_ROWS * 2 * N_COMPLEX * 4 * 1.05
        free = shutil.disk_usage(tmp).free
        if free < need:
            sys.exit(f"error: {tmp}: {free / 2**30:.2f} GiB free, the series needs "
                     f"{need / 2**30:.2f} GiB")
        small, big = Path(tmp) / "small", Path(tmp) / "big"
        write_series(small, SMALL_ROWS)
        whole_small = run_extraction(small, "none")
        block_small = run_extraction(small, "blocks")
        for key in ("s0", "s", "s_noise"):
            np.testing.assert_allclose(block_small[key], whole_small[key], rtol=1e-12, atol=0)
        t_write = write_series(big, N_ROWS)
        size = (big / "ser").stat().st_size
        block_big = run_extraction(big, "blocks")
        acme_big = run_extraction(big, "blocks-acme")
    imports = baseline_rss()
    scale = N_ROWS / SMALL_ROWS
    whole_scaled = imports + (whole_small["maxrss_bytes"] - imports) * scale
    print(f"series written: {N_ROWS} rows x {N_COMPLEX} complex int32 = {size / 2**30:.3f} GiB "
          f"in {t_write:.1f} s (row by row)")
    print(f"imports alone: max RSS {imports / mb:.0f} MB")
    print(f"{SMALL_ROWS}-row series, whole-array path: {whole_small['seconds']:.2f} s, max RSS "
          f"{whole_small['maxrss_bytes'] / mb:.0f} MB, traced peak "
          f"{whole_small['traced_bytes'] / mb:.0f} MB")
    print(f"{SMALL_ROWS}-row series, row blocks: {block_small['seconds']:.2f} s, max RSS "
          f"{block_small['maxrss_bytes'] / mb:.0f} MB, traced peak "
          f"{block_small['traced_bytes'] / mb:.0f} MB (curves equal to 1e-12)")
    print(f"{N_ROWS}-row 1 GiB series, row blocks: {block_big['seconds']:.1f} s, max RSS "
          f"{block_big['maxrss_bytes'] / mb:.0f} MB, traced peak "
          f"{block_big['traced_bytes'] / mb:.0f} MB (goal < 512 MB)")
    print(f"{N_ROWS}-row 1 GiB series, row blocks, automatic phase (two passes): "
          f"{acme_big['seconds']:.1f} s, max RSS {acme_big['maxrss_bytes'] / mb:.0f} MB, traced "
          f"peak {acme_big['traced_bytes'] / mb:.0f} MB")
    print(f"whole-array path scaled to {N_ROWS} rows: max RSS ≈ {whole_scaled / mb:.0f} MB, "
          f"≈ {whole_small['seconds'] * scale:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--extract":
        extract(sys.argv[2], sys.argv[3])
    else:
        main()
