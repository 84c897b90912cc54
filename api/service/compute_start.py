"""The compute workers of a server, started before the server has finished starting.

``reliefgis serve`` reads its services first (`start_serving_compute`), then forks the
workers' fork server from itself holding them (`api.service.compute_fork`) and goes on
with its web framework and store while the workers are forked; the server is ready when
they are. Elsewhere (tests, several server processes) `start_compute` starts them while
this process goes on: the fork server is then a fresh interpreter that imports the
analytics (`Compute.preload`) and reads the services once for all of them
(`api.service.compute_preload`). This module imports nothing heavy.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from api.service.compute import WORKER_MODULES, Compute
from api.settings import Settings


def load_worker_services(settings: Settings) -> Any:
    """A worker process's services: the pack, plans and profiles, without the store."""
    from api.service.bootstrap import load_services  # start-up: imported by the fork server

    return load_services(settings, with_store=False)


def new_compute(settings: Settings) -> Compute[Any]:
    """Worker processes (or threads) for ``settings``, not started yet: as `Services.compute`.

    A worker process reads its own services from the same settings, without the store:
    only the serving process writes.
    """
    return Compute(
        None,
        processes=settings.compute_processes,
        load=partial(load_worker_services, settings),
        timeout_s=settings.task_timeout_s,
        max_rss_bytes=settings.worker_max_rss_mb * 1024 * 1024,
        preload=WORKER_MODULES,
    )


def start_serving_compute(settings: Settings) -> tuple[Compute[Any], Any]:
    """Worker processes for ``settings`` starting now, and the services read for them.

    The services are read here, then the workers' fork server is forked from this
    process holding them (`api.service.compute_fork`): call it before anything starts a
    thread. Give the services to `api.service.bootstrap.serving` for the server's own.
    """
    from api.service.compute_fork import fork_server_here  # start-up: only for serve

    compute = new_compute(settings)
    forking = settings.compute_processes > 0  # with threads there is no fork server
    services = fork_server_here(compute.load, compute.preload) if forking else compute.load()
    compute.start_soon()
    return compute, services


def start_compute(settings: Settings) -> Compute[Any]:
    """Worker processes for ``settings``, starting now while this process goes on.

    Pass the result to `api.service.bootstrap.load_services` (``compute=``); the server
    is ready when the workers are (`Compute.start`).
    """
    compute = new_compute(settings)
    compute.start_soon()
    return compute
