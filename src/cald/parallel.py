"""The one place that maps work over dask.distributed.

By default a local in-process cluster (threads: no start-up of worker processes, and numpy/scipy
release the GIL); ``scheduler="tcp://host:8786"`` sends the work to an existing cluster whose
workers have cald installed. A single item runs inline, without a cluster.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cald.errors import InputError

__all__ = ["map_tasks"]

#: How long to wait for an external scheduler before giving up (s).
_CONNECT_TIMEOUT_S = 10

T = TypeVar("T")
R = TypeVar("R")


def map_tasks(fn: Callable[[T], R], items: Sequence[T], scheduler: str | None = None,
              n_threads: int | None = None,
              on_result: Callable[[int, R], None] | None = None) -> list[R]:
    """Apply ``fn`` to every item in parallel and return the results in item order.

    ``fn`` must not raise (wrap failures into its result); ``on_result(index, result)`` is called
    in the calling thread as each item finishes (for progress bars).
    """
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
        cluster = LocalCluster(n_workers=1, threads_per_worker=n_threads or os.cpu_count() or 2,
                               processes=False, dashboard_address="127.0.0.1:0")
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=_CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the dask scheduler ({exc})", scheduler) from None
    try:
        futures = client.map(fn, list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for future in as_completed(futures):
            i = index[future.key]
            results[i] = future.result()
            if on_result is not None:
                on_result(i, results[i])
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
