"""`cald init` on a folder of 10⁴ files (issue 16): recognition reads headers only.

The folder: 100 sample folders of 100 files each: 9,600 instrument logs and notes (text, ≈ 2 kB),
200 raw detector dumps (binary, 64 kB each), 100 UV-vis CSV exports (CdSe, 350–700 nm) and
100 FTIR CSV exports; 10⁴ files, ≈ 35 MB.

1. cald: :func:`cald.project.init.draft.draft_project` (walk, header sniffing, recognition,
   samples, proposals: each UV-vis and FTIR export is read to find its exciton or bands); best of
   3; and its first step alone, walking and recognising from headers.
2. Baselines in the same run: the floor, listing the tree (``os.walk`` + ``stat`` of every file),
   and reading every file whole (what recognising from content costs without header sniffing);
   best of 3.
Prints the times, the ratios and what the draft found.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from _timing import best_of
from cald.project.init.draft import draft_project
from cald.project.init.recognise import recognise
from cald.project.init.walk import walk
from cald.synth.infrared import CHELATING_CARBOXYLATE, OLEATE_CHAIN, write_ir_csv
from cald.synth.optical import write_uvvis_csv

N_FOLDERS = 100
LOG = "".join(f"{i:05d} 12:00:{i % 60:02d} stage temperature nominal, pressure 1e-9 mbar\n"
              for i in range(30))


def make_folder(root: Path) -> int:
    rng = np.random.default_rng(0)
    n = 0
    for k in range(N_FOLDERS):
        folder = root / f"CdSe_n{k % 11}_batch{k}"
        folder.mkdir()
        for i in range(96):
            (folder / f"log_{i:03d}.txt").write_text(LOG)
        for i in range(2):
            (folder / f"detector_{i}.raw").write_bytes(rng.bytes(65536))
        write_uvvis_csv(folder / "uvvis.csv", 495.0 + 0.1 * (k % 11), 25.0, seed=k)
        write_ir_csv(folder / "ftir.csv", OLEATE_CHAIN + CHELATING_CARBOXYLATE, seed=k,
                     step_cm1=2.0)
        n += 100
    return n


def list_tree(root: Path) -> int:
    return sum(os.stat(os.path.join(d, f)).st_size >= 0 for d, _, fs in os.walk(root) for f in fs)


def read_all(root: Path) -> int:
    return sum(len(Path(d, f).read_bytes()) for d, _, fs in os.walk(root) for f in fs)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n_files = make_folder(root)
        t_list, _ = best_of(lambda: list_tree(root))
        t_read, n_bytes = best_of(lambda: read_all(root))
        t_init, draft = best_of(lambda: draft_project(root))
        t_walk, _ = best_of(lambda: [recognise(c) for c in walk(root)[0]])
    print(f"folder: {n_files} files, {n_bytes / 1e6:.1f} MB")
    print(f"cald init (draft_project):  {t_init:7.2f} s  → {len(draft.datasets)} data sets, "
          f"{len(draft.analyses)} analyses, {len(draft.samples)} samples, "
          f"{len(draft.skipped)} skipped")
    print(f"  of which walk + headers:  {t_walk:7.2f} s")
    print(f"baseline, list the tree:    {t_list:7.2f} s  (ratio {t_init / t_list:.1f}×)")
    print(f"baseline, read every file:  {t_read:7.2f} s  (ratio {t_init / t_read:.2f}×)")


if __name__ == "__main__":
    main()
