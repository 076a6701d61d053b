"""The one place that maps work over dask.distributed.

By default a local in-process cluster (threads: no start-up of worker processes, and numpy/scipy
release the GIL). ``n_workers=N`` starts a local cluster of N worker processes with one thread
each and ``OMP_NUM_THREADS=1`` (for codes that hold the GIL or run OpenMP themselves, such as
tblite: two GFN2-xTB jobs on two cores must not each start two OpenMP threads).
``scheduler="tcp://host:8786"`` sends the work to an existing cluster whose workers have cald
installed. A single item runs inline, without a cluster.

A task whose worker dies (killed, out of memory) is given to another worker by the scheduler
(up to dask's ``distributed.scheduler.allowed-failures`` times, 3 by default); ``retries`` also
re-runs a task that raised.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cald.errors import InputError

__all__ = ["WORKER_ENV", "map_tasks"]

#: How long to wait for an external scheduler before giving up (s).
_CONNECT_TIMEOUT_S = 10

#: Environment of the worker processes of ``map_tasks(..., n_workers=N)``: one thread per
#: worker for OpenMP and the BLAS libraries.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}

T = TypeVar("T")
R = TypeVar("R")


def map_tasks(fn: Callable[[T], R], items: Sequence[T], scheduler: str | None = None,
              n_threads: int | None = None,
              on_result: Callable[[int, R], None] | None = None, *,
              n_workers: int | None = None, retries: int = 0,
              on_failure: Callable[[int, BaseException], R] | None = None) -> list[R]:
    """Apply ``fn`` to every item in parallel and return the results in item order.

    ``fn`` must not raise (wrap failures into its result); ``on_result(index, result)`` is called
    in the calling thread as each item finishes (for progress bars).

    Parameters
    ----------
    scheduler
        Address of an existing dask scheduler; ``None`` starts a local cluster.
    n_threads
        Threads of the local in-process cluster (default: the number of CPUs).
    n_workers
        Instead of threads: this many local worker processes, one thread each, with
        :data:`WORKER_ENV`; ``fn`` must then be importable (a module-level function).
    retries
        How many times a task that raised is run again before its error is raised here.
    on_failure
        Turns the error of a task that failed for good (it raised ``retries + 1`` times, or its
        worker died more often than the scheduler allows: dask's ``KilledWorker``) into that
        item's result, ``on_failure(index, error)``, so that the other items still finish;
        without it the error is raised here.
    """
    if n_workers is not None and n_threads is not None:
        raise ValueError("give n_threads (threads) or n_workers (processes), not both")
    if n_workers is not None and n_workers < 1:
        raise ValueError(f"n_workers must be at least 1, got {n_workers}")
    if not items:
        return []
    if scheduler is None and len(items) == 1:
        result = fn(items[0])
        if on_result is not None:
            on_result(0, result)
        return [result]
    from dask.distributed import Client, LocalCluster, as_completed

    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None
    if scheduler is None:
        if n_workers is None:
            cluster = LocalCluster(n_workers=1, threads_per_worker=n_threads or os.cpu_count() or 2,
                                   processes=False, dashboard_address="127.0.0.1:0")
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                   env=dict(WORKER_ENV))
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=_CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the dask scheduler ({exc})", scheduler) from None
    try:
        futures = client.map(fn, list(items), pure=False, retries=retries or None)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for future in as_completed(futures):
            i = index[future.key]
            try:
                results[i] = future.result()
            except Exception as exc:
                if on_failure is None:
                    raise
                results[i] = on_failure(i, exc)
            if on_result is not None:
                on_result(i, results[i])
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
