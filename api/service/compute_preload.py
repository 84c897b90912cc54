"""The services of the compute worker processes, read once in the fork server they fork from.

A worker process reads the pack, plans and road graph before its first task (its ``load``
callable). Read in each worker, that is N reads at start, and again for every fresh worker
that replaces one (time limit, memory ceiling, a client gone). Instead the fork server the
workers are forked from reads them once, when it starts: `FORK_SERVER_MODULE`, the last
module it imports (`worker_context`), calls ``load`` there (`preload`); each worker then
starts from a copy-on-write image of it and its `preloaded` services are ready at once.

The fork server is a fresh interpreter started by the server process, so ``load`` reaches
it through its environment (`ENV`, read and removed at once, and only by a child of the
process that set it). A worker whose ``load`` is not the one the fork server read (another
pack in the same process: the fork server is started once per process), or a fork server
whose read failed, reads its own services as before: a pack it refuses is refused there,
with the message the server shows.
"""

from __future__ import annotations

import base64
import gc
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
from collections.abc import Callable
from functools import partial
from typing import Any

#: The environment variable that hands ``load`` to the fork server: "PID:PICKLE-BASE64".
ENV = "RELIEF_COMPUTE_PRELOAD"

#: Imported last by the fork server: it reads the services (`preload`).
FORK_SERVER_MODULE = "api.service.compute_fork_server"
#: Imported first by the fork server: this module, which pauses the collector there.
FORK_SERVER_FIRST = "api.service.compute_preload"

#: In the fork server and the workers forked from it: (the ``load`` read, its services).
_preloaded: tuple[Callable[[], Any], Any] | None = None


def worker_context(
    preload: tuple[str, ...], load: Callable[[], Any]
) -> multiprocessing.context.BaseContext:
    """How worker processes start: forked from a fork server, else spawned.

    Never a fork of the server itself, which is full of threads. A fork server is a
    fresh single-threaded interpreter that imports ``preload`` once and reads ``load``'s
    services (this module); each worker is a fork of it and starts with both (Linux,
    macOS). Where there is none (Windows), each worker is spawned and reads everything.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([FORK_SERVER_FIRST, *preload, FORK_SERVER_MODULE])
    try:
        handed = base64.b64encode(pickle.dumps(load)).decode("ascii")
    except (pickle.PicklingError, TypeError, AttributeError):
        return context  # the pool pickles it too, and says why
    os.environ[ENV] = f"{os.getpid()}:{handed}"
    try:
        # Started now, with ``load`` in its environment (a no-op when already running).
        multiprocessing.forkserver.ensure_running()
    finally:
        os.environ.pop(ENV, None)
    return context


def _same(one: Callable[[], Any], other: Callable[[], Any]) -> bool:
    """Whether two ``load`` callables read the same services (equal function and arguments)."""
    if isinstance(one, partial) and isinstance(other, partial):
        return bool(
            one.func is other.func and one.args == other.args and one.keywords == other.keywords
        )
    return one is other


def hold(load: Callable[[], Any], services: Any) -> None:
    """In a fork server forked with ``load``'s services already read (`compute_fork`)."""
    global _preloaded  # noqa: PLW0603 - once per fork server, at its start
    _preloaded = (load, services)


def preloaded() -> Any | None:
    """The services this process holds from its fork server, if it read any; else None."""
    return None if _preloaded is None else _preloaded[1]


def preloaded_or_load(load: Callable[[], Any]) -> Any:
    """In a worker: the fork server's services when it read them with ``load``, else ``load()``."""
    if _preloaded is not None and _same(_preloaded[0], load):
        return _preloaded[1]
    return load()


def _handed_here() -> str | None:
    """What the parent handed over, when this process is the fork server it started."""
    parent, _, text = os.environ.get(ENV, "").partition(":")
    return text if text and parent == str(os.getppid()) else None


def preload() -> None:
    """In the fork server: read the services its parent handed over, if any.

    Called by `api.service.compute_fork_server`, the last module the fork server imports.
    """
    global _preloaded  # noqa: PLW0603 - once per fork server, at its start
    text = _handed_here()
    os.environ.pop(ENV, None)
    try:
        if text is None:
            return  # none, or inherited by some other child: not its fork server
        # Pickled by the parent process itself (checked above), as the pool's own tasks are.
        load = pickle.loads(base64.b64decode(text))  # noqa: S301
        services = load()
    except Exception:  # each worker reads again and reports the error
        return
    finally:
        # Keep the objects imported and read out of the collector's reach: a collection
        # in a worker would otherwise write to every page that holds them and end their
        # sharing. Then collect again, in the workers forked from here too.
        gc.freeze()
        gc.enable()
    _preloaded = (load, services)


if _handed_here() is not None:
    # The fork server's imports and read allocate millions of objects that live as long
    # as it does: passes of the cyclic collector over them would be wasted (`preload`
    # freezes them and resumes it).
    gc.disable()
