"""One compute worker process of `api.service.compute.Compute`, and what runs inside it.

Each worker is a process pool of its own, holding at most one task at a time: a
``ProcessPoolExecutor`` whose process dies fails every task it holds and stops taking
new ones, so one pool shared by all workers would lose every request in flight, on the
other workers too, when one of them is killed. With a pool per worker, a death costs
only the task that worker ran; `Compute` replaces that worker and the others go on.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

import psutil

from api.service.compute_preload import preloaded_or_load

T = TypeVar("T")

#: The services of a worker process, read once by `_start_worker`.
_worker_services: object | None = None


def _start_worker(load: Callable[[], object]) -> None:
    """Initialise a worker process: read everything the tasks need, once."""
    global _worker_services  # noqa: PLW0603 - per worker process, set at start
    parent = multiprocessing.parent_process()
    if parent is not None:
        # The task queue's pipe stays open in the fork server, so a server killed
        # outright (SIGKILL, OOM killer) would leave its workers waiting forever.
        threading.Thread(
            target=_exit_with_parent, args=(parent.sentinel,), name="parent-watch", daemon=True
        ).start()
    _worker_services = preloaded_or_load(load)  # read by the fork server, else here


def _exit_with_parent(sentinel: int) -> None:
    """Wait for the server process to end, then end this worker at once."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def run_in_worker(
    task: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    timeout_s: float | None = None,
) -> T:
    """Run ``task(services, *args, **kwargs)`` with the worker's own services.

    Past ``timeout_s`` the worker ends itself: faulthandler's watchdog is a C thread, so
    it fires even while GEOS holds the interpreter in a call that never returns to Python
    (the task's traceback goes to the server's log first).
    """
    if _worker_services is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("compute worker used before its services were read")
    if timeout_s is not None:
        faulthandler.dump_traceback_later(timeout_s, exit=True)
    try:
        return task(_worker_services, *args, **kwargs)
    finally:
        faulthandler.cancel_dump_traceback_later()


def worker_pid(services: object) -> int:
    """The pid of the process that runs it: a task that proves a worker has started."""
    del services
    return os.getpid()


class Worker:
    """One worker process, started at once: a pool of one process, one task at a time."""

    def __init__(
        self, context: multiprocessing.context.BaseContext, load: Callable[[], Any]
    ) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_start_worker, initargs=(load,)
        )
        #: Done when the process has read its services: its pid, or the error it met.
        self.started: Future[int] = self._executor.submit(run_in_worker, worker_pid, (), {})

    @property
    def ready(self) -> bool:
        """Whether the process has read its services and is still running."""
        started = self.started
        done = started.done() and not started.cancelled() and started.exception() is None
        return done and self.alive

    @property
    def pid(self) -> int | None:
        """The worker process's pid, once it has started."""
        processes = getattr(self._executor, "_processes", None) or {}
        return next(iter(processes), None)

    @property
    def alive(self) -> bool:
        """False once its process has ended or its pool has noticed that it did."""
        if getattr(self._executor, "_broken", False):
            return False
        processes = getattr(self._executor, "_processes", None) or {}
        return all(process.is_alive() for process in processes.values())

    def submit(self, call: Callable[[], T]) -> Future[T]:
        """Hand the process its next task (raises ``BrokenProcessPool`` once it has died)."""
        return self._executor.submit(call)

    def rss(self) -> int:
        """Resident memory of the process in bytes; 0 when it has gone."""
        pid = self.pid
        try:
            return int(psutil.Process(pid).memory_info().rss) if pid else 0
        except psutil.Error:
            return 0

    def stop(self, *, wait: bool = False) -> None:
        """Take no more tasks; the process exits after the one it holds (``wait``: wait)."""
        self._executor.shutdown(wait=wait, cancel_futures=True)
