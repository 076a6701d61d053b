"""Command-line interface: a thin typer layer over the library (no science in here).

One BLAS thread per process (unless the environment says otherwise, and set before numpy loads):
the fits factor small matrices, where OpenBLAS's threads cost more than they give — the SVD of a
Czjzek fit's 8192 × 12 Jacobian takes 0.2 s threaded on a busy 2-core machine and 2 ms without,
with identical results; the pipeline runs analyses in parallel processes instead.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
