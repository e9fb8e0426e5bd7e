"""Run-time helpers of a study: the ``[run] scheduler`` wrapper and the progress bar.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dea._parallel import resolve_jobs, scheduler

if TYPE_CHECKING:
    from socialperf.study.config import Study

logger = logging.getLogger("socialperf.study")

def _on_scheduler(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func(study, ...)`` inside the study's ``[run] scheduler`` (if any).

    An enclosing :func:`dea._parallel.scheduler` block (the command's ``--scheduler``) is
    kept.  ``n_jobs=None`` becomes 1 here, or -1 (every worker) on a scheduler.
    """

    @functools.wraps(func)
    def wrapper(study: Study, *args: Any, n_jobs: int | None = None, **kwargs: Any) -> Any:
        with scheduler(study.scheduler, option="run.scheduler"):
            return func(study, *args, n_jobs=resolve_jobs(n_jobs), **kwargs)

    return wrapper





class _Progress:
    """A minimal progress bar on stderr (enabled only on request)."""

    def __init__(self, total: int, *, enabled: bool, label: str = "socialperf",
                 stream: Any = None) -> None:
        self.total = max(int(total), 1)
        self.enabled = enabled
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self._start = time.monotonic()

    def step(self, what: str = "", n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if not self.enabled:
            return
        width = 28
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "-" * (width - filled)
        elapsed = time.monotonic() - self._start
        self.stream.write(
            f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s {what[:30]:<30}"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()
