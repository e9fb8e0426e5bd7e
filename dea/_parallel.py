"""Chunked parallel map over evaluated units, through joblib (no hard-coded backend).

Solver objects (HiGHS models) cannot be pickled, so each task receives the picklable
problem description plus a chunk of unit indices and builds its own solver session.
The joblib backend is whatever the caller configured (``joblib.parallel_config``), so
``with parallel_config(backend="dask"): model.fit(n_jobs=-1)`` runs on a dask cluster.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from dea.exceptions import InputDataError

__all__ = ["default_chunk_size", "map_chunks", "split_chunks"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _effective_jobs(n_jobs: int | None) -> int:
    if n_jobs is None or n_jobs == 0:
        return 1
    if not isinstance(n_jobs, int | np.integer):
        raise InputDataError(f"n_jobs={n_jobs!r} is not allowed; use a non-zero integer")
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
    return int(n_jobs)


def default_chunk_size(n: int) -> int:
    """Units per task: ``max(50, ceil(n / 64))``, independent of ``n_jobs``.

    Hot-started solves depend on the previous solve in the same chunk (alternative optima
    may be picked differently), so chunking must not depend on ``n_jobs`` for results to
    be identical for any ``n_jobs``.
    """
    return max(50, int(np.ceil(n / 64)))


def split_chunks(items: np.ndarray, n_jobs: int, chunk_size: int | None = None) -> list:
    """Split ``items`` into contiguous chunks of ``chunk_size`` (see default_chunk_size)."""
    del n_jobs
    n = len(items)
    if n == 0:
        return []
    if chunk_size is None:
        chunk_size = default_chunk_size(n)
    chunk_size = max(1, int(chunk_size))
    return [items[i : i + chunk_size] for i in range(0, n, chunk_size)]


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled

    def update(self, k: int) -> None:
        if not self.enabled:
            return
        self.done += k
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def map_chunks(
    func: Callable[..., T],
    items: np.ndarray,
    *args: Any,
    n_jobs: int | None = 1,
    chunk_size: int | None = None,
    progress: bool = False,
) -> list[T]:
    """Call ``func(chunk, *args)`` for contiguous chunks of ``items``; keep chunk order.

    Parameters
    ----------
    func : callable
        Picklable function ``func(chunk, *args)``; builds its own solver state.
    items : ndarray
        Unit indices.
    *args
        Extra (picklable) arguments.
    n_jobs : int, default 1
        1 runs in-process; >1 or negative (joblib convention) uses ``joblib.Parallel``.
    chunk_size : int, optional
        Units per task.
    progress : bool, default False
        Write a progress bar to stderr.

    Returns
    -------
    list
        One result per chunk, in chunk order (so results never depend on ``n_jobs``).
    """
    jobs = _effective_jobs(n_jobs)
    chunks = split_chunks(np.asarray(items), jobs, chunk_size)
    bar = _Progress(len(items), progress)
    if jobs == 1 or len(chunks) <= 1:
        out = []
        for c in chunks:
            out.append(func(c, *args))
            bar.update(len(c))
        return out
    from joblib import Parallel, delayed

    logger.debug("map_chunks: %d chunks on %d jobs", len(chunks), jobs)
    par = Parallel(n_jobs=jobs, return_as="generator")
    out = []
    for c, res in zip(chunks, par(delayed(func)(c, *args) for c in chunks), strict=True):
        out.append(res)
        bar.update(len(c))
    return out
