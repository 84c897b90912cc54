"""Where the CPU-heavy work of a request runs: worker processes, or threads of the server.

An assessment (about 0.1 s on the demo pack, seconds on a province) and a printed map
(about 1 s) are Python that holds the GIL most of the time, so threads of one server
process together use about one core however many there are. With ``compute_processes``
N > 0 (``RELIEF_COMPUTE_PROCESSES``, ``reliefgis serve --compute-processes``) they run in
N worker processes instead. The pack, plans, profiles and road graph a worker needs (the
``load`` callable it is given: `load_services` without the store, as only the serving
process writes) are read once, by the fork server the workers are forked from
(`api.service.compute_preload`), and each worker sends back the finished answer; the server
process parses requests, stores and answers. With N = 0 they run on `COMPUTE_THREADS`
long-lived threads of the server.

Each worker takes one task at a time (`api.service.compute_worker.Worker`); a request
waits here for an idle one. A worker that dies (killed, out of memory) fails only the
request it held, with `WorkerStopped` (503, ``Retry-After``); a fresh worker forked from
the fork server takes its place at once, and the other workers and the requests they
hold go on. A worker found dead while idle is replaced before it is given a task.

Each task has a time limit (``timeout_s``, ``RELIEF_TASK_TIMEOUT_S``). Past it the caller
gets `ComputeTimeout` (504); in worker processes the worker running it ends itself (a
watchdog thread in C, so GEOS work that never returns to Python is ended too) and is
replaced. Threads cannot be stopped: with N = 0 the caller is answered at the limit and
the thread finishes on its own. After each task, a worker holding more than
``max_rss_bytes`` (``RELIEF_WORKER_MAX_RSS_MB``) is retired and replaced.

A request whose client disconnects is cancelled (`api.disconnect`); `Compute.run`,
cancelled while a worker process runs its task, kills that worker and replaces it, as
the time limit does. With threads the abandoned task finishes on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Generic, TypeVar

from api.service.compute_preload import worker_context
from api.service.compute_worker import Worker, run_in_worker, worker_pid
from geo.errors import ComputeTimeout, ComputeUnavailable

__all__ = ["Compute", "WorkerStopped", "default_processes", "worker_pid"]

#: Threads that run the work when there are no worker processes. pyproj keeps a PROJ
#: context per thread and re-creates every transformer the first time a new thread uses
#: it (about 0.15 s per assessment on this machine): threads that live as long as the
#: process keep those warm, and more than two would only queue on the GIL.
COMPUTE_THREADS = 2
#: Most worker processes ``reliefgis serve`` starts by default: each holds its own copy
#: of the pack and road graph (about 0.5 GiB for a province).
DEFAULT_MAX_PROCESSES = 4

#: What a compute worker of the service imports: once, in the fork server it is forked from.
WORKER_MODULES = ("api.service.bootstrap", "api.service.assess")

#: How long `Compute.start` waits for every worker to read the pack, and how often it looks.
START_TIMEOUT_S = 600.0
READY_POLL_S = 0.05
#: When a request whose worker died may be sent again: its replacement is forked from
#: the fork server, which already holds the services, in well under a second.
RETRY_AFTER_S = 1

T = TypeVar("T")
#: What the tasks are handed first: the services of the process they run in.
S = TypeVar("S")


class WorkerStopped(ComputeUnavailable):
    """The worker process running the request died; a fresh one has taken its place."""

    retry_after_s = RETRY_AFTER_S


def default_processes() -> int:
    """Worker processes for ``reliefgis serve``: one per core, at most `DEFAULT_MAX_PROCESSES`."""
    return max(1, min(DEFAULT_MAX_PROCESSES, os.cpu_count() or 1))


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Compute(Generic[S]):
    """Runs tasks ``task(services, ...)`` off the event loop, in processes or threads.

    Parameters
    ----------
    services
        What a task is handed in a thread of this process; None until `bind` gives it
        (a server starts its workers before it has read its own services).
    timeout_s
        Longest a task may run before `ComputeTimeout`; None: no limit.
    max_rss_bytes
        A worker process holding more memory than this after a task is replaced.
    processes
        Worker processes; 0 runs the tasks on `COMPUTE_THREADS` threads instead.
    load
        Builds a worker process's own services when it starts: a picklable callable
        (a module-level function, or a ``functools.partial`` of one).
    preload
        Modules the worker processes need, imported once by the fork server they are
        forked from (where the OS has one), not again in each worker; the fork server
        also reads ``load``'s services once (`api.service.compute_preload`).
    """

    def __init__(
        self,
        services: S | None,
        *,
        processes: int,
        load: Callable[[], S],
        timeout_s: float | None = None,
        max_rss_bytes: int | None = None,
        preload: tuple[str, ...] = (),
    ) -> None:
        self.services = services
        self.preload = preload
        self.processes = processes
        self.load = load
        self.timeout_s = timeout_s
        self.max_rss_bytes = max_rss_bytes
        self._lock = threading.Lock()
        self._starting = threading.Lock()
        self._threads: Executor | None = None
        self._context: multiprocessing.context.BaseContext | None = None
        #: The worker processes, and those of them free for a task.
        self._workers: list[Worker] = []
        self._idle: list[Worker] = []
        #: Requests waiting for an idle worker, each on its own event loop.
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        #: Whether `start_soon` paused the cyclic collector, for `start` to resume it.
        self._collector_paused = False

    def bind(self, services: S) -> None:
        """Give the services tasks run on threads of this process are handed."""
        self.services = services

    def _services(self) -> S:
        if self.services is None:  # pragma: no cover - bound before the server answers
            raise RuntimeError("compute used before its services were bound")
        return self.services

    def _thread_pool(self) -> Executor:
        with self._lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(
                    max_workers=COMPUTE_THREADS, thread_name_prefix="compute"
                )
            return self._threads

    def _start_workers(self) -> list[Worker]:
        """The worker processes, started now if they are not yet: one task each at a time.

        Blocks until the fork server has imported the code: call it off the event loop.
        """
        with self._starting:  # one thread starts them, the others wait for it
            with self._lock:
                if self._workers:
                    return list(self._workers)
            if self._context is None:
                self._context = worker_context(self.preload, self.load)
            workers = [Worker(self._context, self.load) for _ in range(self.processes)]
            with self._lock:
                self._workers, self._idle = workers, list(workers)
                self._wake_waiters()
            return list(workers)

    def _replace(self, worker: Worker, *, kill: bool = False) -> None:
        """Put a fresh worker in ``worker``'s place; ``kill``: end ``worker`` at once."""
        pid = worker.pid
        if kill and pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        worker.stop()
        fresh = None if self._context is None else Worker(self._context, self.load)
        with self._lock:
            with contextlib.suppress(ValueError):
                self._idle.remove(worker)
            if fresh is not None and worker in self._workers:
                self._workers[self._workers.index(worker)] = fresh
                self._idle.append(fresh)
                self._wake_waiters()
                fresh = None
        if fresh is not None:  # closed, or replaced already
            fresh.stop()

    def _release(self, worker: Worker) -> None:
        """``worker`` is free for the next task."""
        with self._lock:
            if worker in self._workers:
                self._idle.append(worker)
                self._wake_waiters()

    def _wake_waiters(self) -> None:
        """Let every waiting request look for an idle worker again (under ``_lock``)."""
        waiters, self._waiters = self._waiters, []
        for loop, waiter in waiters:
            with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits
                loop.call_soon_threadsafe(_wake, waiter)

    async def _idle_worker(self) -> Worker:
        """An idle, living worker; those found dead while idle are replaced first."""
        if not self._workers:
            await asyncio.to_thread(self._start_workers)
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                dead = [worker for worker in self._idle if not worker.alive]
                living = [worker for worker in self._idle if worker not in dead]
                worker = living[-1] if living else None
                self._idle = living[:-1]
                if worker is None and not dead:
                    waiter: asyncio.Future[None] = loop.create_future()
                    self._waiters.append((loop, waiter))
            for body in dead:  # died while idle: nothing was lost
                self._replace(body)
            if worker is not None:
                return worker
            if dead:
                continue  # their replacements are idle now
            try:
                await waiter
            finally:
                with self._lock, contextlib.suppress(ValueError):
                    self._waiters.remove((loop, waiter))

    async def run(self, task: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``task(services, *args, **kwargs)``, awaited without blocking the event loop.

        In worker processes ``task`` must be a module-level function and its arguments
        and result picklable; errors it raises reach the caller as raised.

        Raises
        ------
        ComputeTimeout
            The task ran longer than ``timeout_s``: stopped (processes) or abandoned.
        WorkerStopped
            The worker process stopped while it held the task: retry (``Retry-After``).
        """
        if not self.processes:
            call = partial(task, self._services(), *args, **kwargs)
            pending = asyncio.get_running_loop().run_in_executor(self._thread_pool(), call)
            try:
                return await asyncio.wait_for(pending, self.timeout_s)
            except TimeoutError:
                raise self._timeout() from None
        while True:
            worker = await self._idle_worker()
            try:
                future = worker.submit(partial(run_in_worker, task, args, kwargs, self.timeout_s))
                break
            except BrokenProcessPool:  # it died just now, before it took the task
                self._replace(worker)
        started = time.monotonic()
        try:
            result = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            if future.cancelled():  # never started: its worker is free
                self._release(worker)
            else:  # the caller went away: end the worker still running its task
                self._replace(worker, kill=True)
            raise
        except BrokenProcessPool as exc:
            self._replace(worker)
            if self.timeout_s is not None and time.monotonic() - started >= self.timeout_s:
                raise self._timeout() from exc
            raise WorkerStopped(
                "a compute worker process stopped while answering this request; a fresh "
                f"one has taken its place: please retry (in {RETRY_AFTER_S} s)"
            ) from exc
        except BaseException:
            self._release(worker)
            raise
        if self.max_rss_bytes is not None and worker.rss() > self.max_rss_bytes:
            self._replace(worker)  # it holds no task: it exits at once
        else:
            self._release(worker)
        return result

    def _timeout(self) -> ComputeTimeout:
        return ComputeTimeout(
            f"the computation took longer than the time limit task_timeout_s = "
            f"{self.timeout_s:g} s (RELIEF_TASK_TIMEOUT_S) and was stopped; "
            "make the footprint simpler or smaller"
        )

    @property
    def ready(self) -> int:
        """How many worker processes have read their services and run (0 with threads)."""
        with self._lock:
            return sum(worker.ready for worker in self._workers)

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes started so far."""
        with self._lock:
            return [pid for worker in self._workers if (pid := worker.pid) is not None]

    def start_soon(self) -> None:
        """Start the worker processes now, in the background, while this process goes on.

        The workers read their services while the server reads its own; `start` then
        only waits for them. Starting is done on a thread: the first worker waits for
        the fork server to import the code. Until `start`, the cyclic collector pauses:
        the server's imports and read allocate millions of objects that live as long as
        it does, and passes over them would only lengthen its start.
        """
        if not self.processes:
            return
        self._collector_paused = gc.isenabled()
        gc.disable()
        threading.Thread(target=self._start_workers, name="compute-start", daemon=True).start()

    def _resume_collector(self) -> None:
        """After start-up: its objects frozen out of the collector's reach, resume it."""
        if self._collector_paused:
            self._collector_paused = False
            gc.freeze()
            gc.enable()

    async def start(self, *, timeout_s: float = START_TIMEOUT_S) -> None:
        """Start every worker process now, not on the first request, and wait until ready."""
        if not self.processes:
            return
        self._resume_collector()
        deadline = time.monotonic() + timeout_s
        await asyncio.to_thread(self._start_workers)
        while not all(worker.started.done() for worker in self._start_workers()):
            if time.monotonic() > deadline:
                raise ComputeUnavailable(
                    f"only {self.ready} of {self.processes} compute worker processes were "
                    f"ready after {timeout_s:g} s"
                )
            await asyncio.sleep(READY_POLL_S)
        failed = [w for w in self._start_workers() if not w.started.cancelled() and not w.ready]
        for worker in failed:
            self._replace(worker)
        if failed:
            raise ComputeUnavailable(
                f"{len(failed)} of {self.processes} compute worker processes stopped "
                "while reading the layer pack; see the server log"
            )

    def close(self) -> None:
        """Stop the workers (after the tasks they hold)."""
        self._resume_collector()
        with self._lock:
            workers, self._workers, self._idle = self._workers, [], []
            threads, self._threads = self._threads, None
            self._wake_waiters()
        for worker in workers:
            worker.stop(wait=True)
        if threads is not None:
            threads.shutdown(wait=True, cancel_futures=True)
