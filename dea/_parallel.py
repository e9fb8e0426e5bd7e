"""Chunked parallel map over evaluated units, through joblib (no hard-coded backend).

Solver objects (HiGHS models) cannot be pickled, so each task receives the picklable
problem description plus a chunk of unit indices and builds its own solver session.
The joblib backend is whatever the caller configured (``joblib.parallel_config``);
``n_jobs`` is a constructor argument of every model, so::

    with joblib.parallel_config(backend="dask"):      # a dask.distributed.Client is open
        dea.Radial(df, inputs=X, outputs=Y, n_jobs=-1).fit()

runs on a Dask cluster.  :func:`scheduler` opens that client (or a ``LocalCluster``) and
that backend from one setting, the ``--scheduler`` option of the ``socialperf`` command and
the ``[run] scheduler`` key of a study.  It adds no dispatch path: :func:`map_chunks` and
the sensitivity engine's joblib calls run unchanged, on whatever backend is active.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np

from dea.exceptions import InputDataError

__all__ = [
    "active_scheduler",
    "default_chunk_size",
    "map_chunks",
    "parse_scheduler",
    "resolve_jobs",
    "scheduler",
    "split_chunks",
]

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


# ------------------------------------------------------------------ Dask scheduler setting

CONNECT_TIMEOUT = 10.0  # seconds to wait for a remote scheduler before giving up
_ACTIVE: contextvars.ContextVar[str | None] = contextvars.ContextVar("dea_scheduler", default=None)
_LOCAL = re.compile(r"local:(.*)", re.IGNORECASE)
_ADDRESS = re.compile(r"((tcp|tls|ws|wss)://)?[A-Za-z0-9_.\-\[\]:]+(:\d+)?")


def parse_scheduler(address: Any, option: str = "scheduler") -> str | None:
    """Check a scheduler setting and return it normalised (None or ``""``: no scheduler).

    Parameters
    ----------
    address : str or None
        ``"local:N"`` (a ``dask.distributed.LocalCluster`` of N worker processes started
        for the run) or the address of a running Dask scheduler (``"tcp://host:8786"``,
        ``"tls://host:8786"``, ``"host:8786"``; protocols tcp, tls, ws, wss).
    option : str
        The setting's name, for messages (``--scheduler``, ``run.scheduler``).

    Raises
    ------
    InputDataError
        A value that is neither form, or ``local:N`` whose N is not a positive integer.
    """
    if address is None:
        return None
    if not isinstance(address, str):
        raise InputDataError(
            f"{option}: expected a string such as 'local:2' or 'tcp://host:8786', got {address!r}"
        )
    text = address.strip()
    if not text:
        return None
    local = _LOCAL.fullmatch(text)
    if local:
        n = local.group(1).strip()
        if not n.isdigit() or int(n) < 1:
            raise InputDataError(
                f"{option}={address!r}: the number of local workers must be "
                "a positive integer, e.g. 'local:2'"
            )
        return f"local:{int(n)}"
    if text.lower() == "local" or not _ADDRESS.fullmatch(text):
        raise InputDataError(
            f"{option}={address!r} is not a scheduler address; use "
            "'local:N' (N local worker processes) or the address of a "
            "running Dask scheduler, e.g. 'tcp://host:8786'"
        )
    return text


def active_scheduler() -> str | None:
    """The scheduler opened by an enclosing :func:`scheduler` block, or None."""
    return _ACTIVE.get()


def resolve_jobs(n_jobs: int | None) -> int:
    """``n_jobs`` to pass on: None is 1 on this machine, -1 (every worker) on a scheduler.

    Under the Dask backend joblib sizes the work by the cluster's cores whatever the
    (non-1) value, but ``n_jobs=1`` still runs in-process, so a scheduler needs ``-1``.
    """
    if n_jobs is None:
        return -1 if _ACTIVE.get() is not None else 1
    return n_jobs


@contextlib.contextmanager
def scheduler(address: str | None, *, option: str = "scheduler") -> Iterator[str | None]:
    """Run the joblib work of the block on a Dask cluster.

    Opens a ``dask.distributed.Client`` on ``address`` (for ``"local:N"``, on a
    ``LocalCluster`` of N single-threaded worker processes on 127.0.0.1, without a
    dashboard, closed at the end of the block) and sets
    ``joblib.parallel_config(backend="dask")``.  Everything that dispatches through joblib
    (:func:`map_chunks`: DEA fits and the bootstrap; :class:`weighting.UncertaintyAnalysis`:
    Monte Carlo and Sobol' runs) then runs on the cluster when its ``n_jobs`` is not 1 (see
    :func:`resolve_jobs`).  Results do not change: chunks and random streams never depend on
    the backend.  ``None`` (or ``""``) does nothing; inside another ``scheduler`` block the
    outer one is kept.

    Parameters
    ----------
    address : str or None
        See :func:`parse_scheduler`.
    option : str
        The setting's name, for messages.

    Yields
    ------
    str or None
        The scheduler in use.

    Raises
    ------
    InputDataError
        A malformed address, a scheduler that cannot be reached within
        :data:`CONNECT_TIMEOUT` seconds, or dask.distributed not installed; the message names
        ``option``.

    Notes
    -----
    Tasks and data travel pickled: whoever controls the scheduler or a worker can run code
    in this process.  Connect only to a cluster you trust.  The workers of a remote cluster
    need the same packages (dea, weighting, socialperf) installed.
    """
    addr = parse_scheduler(address, option)
    if addr is None or _ACTIVE.get() is not None:
        yield _ACTIVE.get()
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputDataError(
            f"{option}={addr!r} needs dask.distributed; install it with "
            "python -m pip install 'dask[distributed]'"
        ) from None
    from joblib import parallel_config

    with contextlib.ExitStack() as stack:
        if not logger.isEnabledFor(logging.DEBUG):  # cluster start/stop chatter: debug only
            quiet = logging.getLogger("distributed")
            stack.callback(quiet.setLevel, quiet.level)
            quiet.setLevel(logging.ERROR)
        local = _LOCAL.fullmatch(addr)
        if local:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=int(local.group(1)),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = Client(addr, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError, ImportError, RuntimeError) as exc:
                reason = " ".join(str(exc).split()) or type(exc).__name__
                raise InputDataError(
                    f"{option}: cannot reach the Dask scheduler at {addr!r} ({reason})"
                ) from None
            stack.enter_context(client)
        logger.debug("scheduler %s: workers %s", addr, client.ncores())
        token = _ACTIVE.set(addr)
        stack.callback(_ACTIVE.reset, token)
        stack.enter_context(parallel_config(backend="dask"))
        yield addr
