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

A worker that dies (killed, out of memory) fails the requests it held with
`ComputeUnavailable` (503); the next request starts fresh workers.

Each task has a time limit (``timeout_s``, ``RELIEF_TASK_TIMEOUT_S``). Past it the caller
gets `ComputeTimeout` (504); in worker processes the worker running it ends itself (a
watchdog thread in C, so GEOS work that never returns to Python is ended too), the other
requests its pool held are answered 503 to retry, and fresh workers take the next one.
Threads cannot be stopped: with N = 0 the caller is answered at the limit and the thread
finishes on its own. After each task, a worker holding more than ``max_rss_bytes``
(``RELIEF_WORKER_MAX_RSS_MB``) is retired: its pool takes no new task, finishes what it
holds and exits, and a fresh pool serves the next request.

A request whose client disconnects is cancelled (`api.disconnect`); `Compute.run`,
cancelled while a worker process runs its task, kills that worker (the one task it runs
is found in a table of running tasks the workers share) and starts fresh workers, as
the time limit does. With threads the abandoned task finishes on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import itertools
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import psutil

from api.service.compute_preload import preloaded_or_load, worker_context
from geo.errors import ComputeTimeout, ComputeUnavailable

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized, SynchronizedArray

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

T = TypeVar("T")
#: What the tasks are handed first: the services of the process they run in.
S = TypeVar("S")

#: The services of a worker process, read once by `_start_worker`.
_worker_services: object | None = None
#: Which task each worker process runs: (task number, pid) pairs, shared by the pool.
_worker_tasks: SynchronizedArray[int] | None = None


def default_processes() -> int:
    """Worker processes for ``reliefgis serve``: one per core, at most `DEFAULT_MAX_PROCESSES`."""
    return max(1, min(DEFAULT_MAX_PROCESSES, os.cpu_count() or 1))


def _start_worker(
    load: Callable[[], object], ready: Synchronized[int], tasks: SynchronizedArray[int]
) -> None:
    """Initialise a worker process: read everything the tasks need, once; count it ready."""
    global _worker_services, _worker_tasks  # noqa: PLW0603 - per worker process, set at start
    _worker_tasks = tasks
    parent = multiprocessing.parent_process()
    if parent is not None:
        # The task queue's pipe stays open in the sibling workers, so a server killed
        # outright (SIGKILL, OOM killer) would leave its workers waiting forever.
        threading.Thread(
            target=_exit_with_parent, args=(parent.sentinel,), name="parent-watch", daemon=True
        ).start()
    _worker_services = preloaded_or_load(load)  # read by the fork server, else here
    with ready.get_lock():
        ready.value += 1


def _exit_with_parent(sentinel: int) -> None:
    """Wait for the server process to end, then end this worker at once."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _mark_running(number: int) -> None:
    """Enter (``number`` > 0) or clear (0) this worker's task in the shared table."""
    if _worker_tasks is None:  # pragma: no cover - the initializer always ran
        return
    pid = os.getpid()
    with _worker_tasks.get_lock():
        pairs = range(0, len(_worker_tasks), 2)
        mine = [i for i in pairs if _worker_tasks[i + 1] == pid]
        slot = mine[0] if mine else next(i for i in pairs if _worker_tasks[i] == 0)
        _worker_tasks[slot], _worker_tasks[slot + 1] = number, pid if number else 0


def _run_in_worker(
    task: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    timeout_s: float | None = None,
    number: int = 0,
) -> T:
    """Run ``task(services, *args, **kwargs)`` with the worker's own services.

    Past ``timeout_s`` the worker ends itself: faulthandler's watchdog is a C thread, so
    it fires even while GEOS holds the interpreter in a call that never returns to Python
    (the task's traceback goes to the server's log first).
    """
    if _worker_services is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("compute worker used before its services were read")
    _mark_running(number)
    if timeout_s is not None:
        faulthandler.dump_traceback_later(timeout_s, exit=True)
    try:
        return task(_worker_services, *args, **kwargs)
    finally:
        faulthandler.cancel_dump_traceback_later()
        _mark_running(0)


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
        self._executor: Executor | None = None
        self._ready: Synchronized[int] | None = None
        self._tasks: SynchronizedArray[int] | None = None
        self._numbers = itertools.count(1)
        self._warming: set[asyncio.Task[None]] = set()

    def _pool(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.processes:
                    context = worker_context(self.preload, self.load)
                    self._ready = context.Value("i", 0)
                    # A (task number, pid) pair for each worker of this pool.
                    self._tasks = context.Array("q", 2 * self.processes)
                    self._executor = ProcessPoolExecutor(
                        max_workers=self.processes,
                        mp_context=context,
                        initializer=_start_worker,
                        initargs=(self.load, self._ready, self._tasks),
                    )
                else:
                    self._executor = ThreadPoolExecutor(
                        max_workers=COMPUTE_THREADS, thread_name_prefix="compute"
                    )
            return self._executor

    def bind(self, services: S) -> None:
        """Give the services tasks run on threads of this process are handed."""
        self.services = services

    def _services(self) -> S:
        if self.services is None:  # pragma: no cover - bound before the server answers
            raise RuntimeError("compute used before its services were bound")
        return self.services

    def _discard(self, broken: Executor, *, cancel: bool = True) -> None:
        """Take no more tasks to this pool; ``cancel``: drop those not yet started."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=cancel)

    async def run(self, task: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``task(services, *args, **kwargs)``, awaited without blocking the event loop.

        In worker processes ``task`` must be a module-level function and its arguments
        and result picklable; errors it raises reach the caller as raised.

        Raises
        ------
        ComputeTimeout
            The task ran longer than ``timeout_s``: stopped (processes) or abandoned.
        ComputeUnavailable
            A worker process stopped while it held the task.
        """
        loop = asyncio.get_running_loop()
        executor = self._pool()
        if not self.processes:
            call = partial(task, self._services(), *args, **kwargs)
            pending = loop.run_in_executor(executor, call)
            try:
                return await asyncio.wait_for(pending, self.timeout_s)
            except TimeoutError:
                raise self._timeout() from None
        number = next(self._numbers)
        call = partial(_run_in_worker, task, args, kwargs, self.timeout_s, number)
        try:
            pending = loop.run_in_executor(executor, call)
        except BrokenProcessPool:  # a worker died between requests: nothing was lost
            self._discard(executor)
            executor = self._pool()
            pending = loop.run_in_executor(executor, call)
        started, tasks = time.monotonic(), self._tasks
        try:
            result = await pending
        except asyncio.CancelledError:
            self._abandon(executor, tasks, number)
            raise
        except BrokenProcessPool as exc:
            self._discard(executor)
            if self.timeout_s is not None and time.monotonic() - started >= self.timeout_s:
                raise self._timeout() from exc
            raise ComputeUnavailable(
                "a compute worker process stopped while answering this request; "
                "fresh workers are started for the next one: please retry"
            ) from exc
        self._retire_if_heavy(executor)
        return result

    def _abandon(
        self, executor: Executor, tasks: SynchronizedArray[int] | None, number: int
    ) -> None:
        """The caller went away: end the worker running task ``number``, if one has it."""
        pid = _running_pid(tasks, number)
        if pid is None:
            return  # not started: cancelling its future dropped it from the queue
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self._discard(executor)
        # Fresh workers now, so that the next request does not wait for them to start.
        warming = asyncio.ensure_future(self.start())
        self._warming.add(warming)
        warming.add_done_callback(self._warming.discard)

    def _timeout(self) -> ComputeTimeout:
        return ComputeTimeout(
            f"the computation took longer than the time limit task_timeout_s = "
            f"{self.timeout_s:g} s (RELIEF_TASK_TIMEOUT_S) and was stopped; "
            "make the footprint simpler or smaller"
        )

    def _retire_if_heavy(self, executor: Executor) -> None:
        """Replace the pool when one of its workers holds more than ``max_rss_bytes``."""
        if self.max_rss_bytes is None:
            return
        heaviest = max(_rss(pid) for pid in (getattr(executor, "_processes", None) or {0: 0}))
        if heaviest > self.max_rss_bytes:
            # Its workers finish what they hold, then exit; new tasks go to a fresh pool.
            self._discard(executor, cancel=False)

    @property
    def ready(self) -> int:
        """How many worker processes have read their services (0 with threads)."""
        return 0 if self._ready is None else int(self._ready.value)

    def start_soon(self) -> None:
        """Start the worker processes now, in the background, while this process goes on.

        The workers read their services while the server reads its own; `start` then
        only waits for them. Starting is done on a thread: the first worker waits for
        the fork server to import the code.
        """
        if not self.processes:
            return

        def begin() -> None:
            executor = self._pool()
            for _ in range(self.processes):
                executor.submit(_run_in_worker, worker_pid, (), {})

        threading.Thread(target=begin, name="compute-start", daemon=True).start()

    async def start(self, *, timeout_s: float = START_TIMEOUT_S) -> None:
        """Start every worker process now, not on the first request, and wait until ready."""
        if not self.processes:
            return
        # One task per worker makes the pool spawn them all; the first ready may take
        # several, so wait for the others to count themselves ready too.
        await asyncio.gather(*(self.run(worker_pid) for _ in range(self.processes)))
        deadline = time.monotonic() + timeout_s
        while self.ready < self.processes:
            if time.monotonic() > deadline:
                raise ComputeUnavailable(
                    f"only {self.ready} of {self.processes} compute worker processes were "
                    f"ready after {timeout_s:g} s"
                )
            await asyncio.sleep(READY_POLL_S)

    def close(self) -> None:
        """Stop the workers (after the tasks they hold)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def _running_pid(tasks: SynchronizedArray[int] | None, number: int) -> int | None:
    """The pid of the worker process running task ``number`` (per ``tasks``), or None."""
    if tasks is None:
        return None
    with tasks.get_lock():
        values = tasks[:]
    return next((values[i + 1] for i in range(0, len(values), 2) if values[i] == number), None)


def _rss(pid: int) -> int:
    """Resident memory of a process in bytes; 0 when it has gone."""
    try:
        return int(psutil.Process(pid).memory_info().rss) if pid else 0
    except psutil.Error:
        return 0


def worker_pid(services: object) -> int:
    """The pid of the process that runs it: a task that proves a worker has started."""
    del services
    return os.getpid()
