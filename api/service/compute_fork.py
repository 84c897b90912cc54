"""The compute workers' fork server forked from ``reliefgis serve`` itself, services read.

The usual fork server (`api.service.compute_preload`) is a fresh interpreter: it imports
the analytics and reads the pack again, beside the server doing the same, so a start
costs both processes' CPU (about 1.6 CPU-s more on the demo pack, 2 on a province), which
on a busy machine is what the start waits for. ``reliefgis serve`` instead reads its
services first, while it is still one thread, and forks the fork server from itself
(`fork_server_here`): the fork server starts with the modules and services in memory and
costs nothing more; the server goes on with its web framework and store. Workers are
forked from it as from the usual one (multiprocessing's own fork server loop runs in it),
and answer with its services (`compute_preload.preloaded_or_load`).

Where a process cannot fork (Windows) or already runs other threads (a fork would copy
their locks, not them), nothing is done: the usual fork server starts as before.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import multiprocessing.forkserver
import os
import socket
import sys
import threading
from collections.abc import Callable
from multiprocessing import connection, resource_tracker
from typing import Any

from api.service import compute_preload

#: The fields of multiprocessing's fork-server record as this module sets them (checked on
#: Python 3.11). A Python whose record has others (3.14 adds an authentication key the
#: workers' requests must carry) gets the usual fork server, as where one cannot fork.
KNOWN_FIELDS = frozenset({
    "_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid", "_inherited_fds",
    "_lock", "_preload_modules",
})  # fmt: skip


def _fork_server() -> Any:
    """The record multiprocessing keeps of this process's fork server (private to it)."""
    return multiprocessing.forkserver._forkserver


def _can_fork_here() -> bool:
    """Whether a fork server may be forked from this process now."""
    server = _fork_server()
    return (
        hasattr(os, "fork")
        and "forkserver" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and frozenset(vars(server)) == KNOWN_FIELDS
        and server._forkserver_pid is None
    )


def _run_fork_server(listener: socket.socket, alive_r: int, alive_w: int) -> None:
    """In the forked child: multiprocessing's fork server loop, never returning."""
    code = 0
    try:
        os.close(alive_w)  # only the server holds it: it ends this process by exiting
        gc.enable()  # what the server had read is frozen (`fork_server_here`)
        multiprocessing.forkserver.main(listener.fileno(), alive_r, [])
    except SystemExit:
        pass
    except BaseException:  # pragma: no cover - reported, then the workers fail to start
        code = 1
        sys.excepthook(*sys.exc_info())
    finally:
        os._exit(code)


def fork_server_here(load: Callable[[], Any], preload: tuple[str, ...]) -> Any:
    """``load()``'s services, with the fork server forked from this process holding them.

    ``preload``: the modules the workers need, imported here first (`Compute.preload`).
    Call it from the one thread of the server, before anything starts another. Where a
    fork server cannot be forked here, only ``load()``: `Compute` starts the usual one.
    """
    if not _can_fork_here():
        return load()
    # As ForkServer.ensure_running, before its fork server: started now, while this
    # process is small (starting a process copies its page tables first).
    resource_tracker.ensure_running()
    enabled = gc.isenabled()
    gc.disable()  # the imports and the read make objects that live as long as the server
    try:
        for module in preload:
            importlib.import_module(module)
        services = load()
    finally:
        # Out of the collector's reach, here and in the fork server: a first collection
        # would otherwise walk them all (0.1 CPU-s), and in the fork server write to
        # every page the workers share.
        gc.freeze()
        if enabled:
            gc.enable()
    address = connection.arbitrary_address("AF_UNIX")  # type: ignore[attr-defined]
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(address)
        os.chmod(address, 0o600)
        listener.listen()
        alive_r, alive_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child runs the fork server until the end
            compute_preload.hold(load, services)
            _run_fork_server(listener, alive_r, alive_w)
        os.close(alive_r)
    # As ForkServer.ensure_running records the one it starts: later calls find it running.
    server = _fork_server()
    server._forkserver_address = address
    server._forkserver_alive_fd = alive_w
    server._forkserver_pid = pid
    return services
