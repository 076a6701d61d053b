"""
A whole project on a Dask cluster
=================================

A project file (``project.toml``) names the samples (here CdSe dots after 0, 1 and 3 c-ALD
cycles), the data sets and the analyses; ``cald run project.toml --out results/`` checks
everything first, runs the analyses in parallel on dask.distributed, caches each outcome by its
inputs, parameters and the code's fingerprint, and writes ``results.json``, a self-contained
``report.html`` and the figures. ``--scheduler ADDRESS`` sends the analyses to a running Dask
cluster (its workers need cald installed); ``--workers N`` starts N local worker processes.

Here a ``LocalCluster`` of two worker processes runs a small project of synthetic data: three
UV-vis spectra, two DOSY series and a RESPDOR series. (``cald demo`` writes and runs the full
example project: 30 analyses of the reference study's data types.)
"""

# %%
# Write a small project
# ---------------------
import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
from dask.distributed import LocalCluster
from matplotlib.figure import Figure

from cald.project.pipeline import run_project
from cald.synth.nmr_sets import write_dosy_series, write_respdor_series
from cald.synth.optical import write_uvvis_csv

work = Path(tempfile.mkdtemp(prefix="cald-project-"))
data = work / "data"
for n, peak_nm in ((0, 495.0), (1, 495.2), (3, 495.5)):
    write_uvvis_csv(data / f"uvvis_n{n}.csv", peak_nm, 25.0, seed=20220 + n)
for n, d_m2_s in ((0, 2.5e-10), (3, 1.9e-10)):
    write_dosy_series(data / f"dosy_1h_n{n}", np.linspace(2.0, 50.0, 16), d_m2_s,
                      gradient_shape="SMSQ10.100", seed=20230 + n)
write_respdor_series(data / "respdor_13c_27al", 503.0, 0.24, list(range(2, 31, 2)), noise_sd=0.004,
                     seed=20221)

project = """\
[project]
name = "CdSe@AlOx: a small synthetic project"
synthetic = true

[[samples]]
name = "CdSe"
cycles = 0

[[samples]]
name = "CdSe@AlOx-1"
cycles = 1

[[samples]]
name = "CdSe@AlOx-3"
cycles = 3
"""
for n, sample in ((0, "CdSe"), (1, "CdSe@AlOx-1"), (3, "CdSe@AlOx-3")):
    project += f"""
[[datasets]]
id = "uvvis-n{n}"
path = "data/uvvis_n{n}.csv"
kind = "csv"
sample = "{sample}"

[[analyses]]
id = "uvvis-n{n}"
kind = "uvvis"
inputs = ["uvvis-n{n}"]
[analyses.parameters]
material = "CdSe"
path_cm = 1.0
"""
for n, sample in ((0, "CdSe"), (3, "CdSe@AlOx-3")):
    project += f"""
[[datasets]]
id = "dosy-n{n}"
path = "data/dosy_1h_n{n}"
kind = "bruker"
sample = "{sample}"

[[analyses]]
id = "dosy-n{n}"
kind = "dosy"
inputs = ["dosy-n{n}"]
[analyses.parameters]
region = [5.6, 5.2]
"""
project += """
[[datasets]]
id = "respdor-n1"
path = "data/respdor_13c_27al"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[analyses]]
id = "respdor-13c-27al-n1"
kind = "respdor"
inputs = ["respdor-n1"]
[analyses.parameters]
pair = "13C-27Al"
region = [190.0, 178.0]
models = ["single", "gaussian"]
bootstrap = 200
"""
project_file = work / "project.toml"
project_file.write_text(project, encoding="utf-8")

# %%
# Run it on a local Dask cluster
# ------------------------------
# Any scheduler address works the same way (``cald run project.toml --out results/
# --scheduler tcp://host:8786``).
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                  dashboard_address="127.0.0.1:0") as cluster:
    summary = run_project(project_file, work / "results", scheduler=cluster.scheduler_address,
                          command="gallery example")
print(f"{summary.n_ok} analyses done, {summary.n_failed} failed, in {summary.wall_s:.1f} s")
for analysis in summary.results["analyses"]:
    print(f"  {analysis['id']:<22} {analysis['status']:<4} {analysis['summary']}")

# %%
# What the run wrote
# ------------------
# ``report.html`` (open it in a browser), ``results.json`` (the numbers, schema in
# ``cald/project/results.schema.json``), and every analysis' figures as SVG and PNG (the report
# adds the figures across samples, such as d_H against c-ALD cycles):
print(sorted(p.name for p in (work / "results").iterdir()))
pngs = sorted((work / "results" / "figures").glob("*.png"))
print([p.name for p in pngs])
fig = Figure(figsize=(7.0, 3.2), layout="constrained")
shown = [work / "results" / "figures" / name
         for name in ("respdor-13c-27al-n1_dephasing.png", "dosy-n3_decay.png")]
for ax, png in zip(fig.subplots(1, 2), shown, strict=True):
    ax.imshow(mpimg.imread(png))
    ax.set_title(png.stem, fontsize=8)
    ax.set_axis_off()
