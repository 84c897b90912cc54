"""``reliefgis serve``: the HTTP service and the browser map, with its compute processes.

``api/cli.py`` lists the command; its options name the pack, the processes and the host.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Callable
from dataclasses import replace

from api import cli_pack
from api.cli_options import with_dask, with_data, with_font
from api.service.compute import DEFAULT_MAX_PROCESSES, default_processes
from api.settings import Settings
from geo.errors import InputError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings with the compute processes chosen: flag, environment, then default."""
    processes = args.compute_processes
    if processes is None and not os.environ.get("RELIEF_COMPUTE_PROCESSES"):
        processes = default_processes() if args.workers == 1 else 0
    if processes is None:
        return settings
    return replace(settings, compute_processes=processes)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Start the HTTP service and the browser map."""
    # Imported here for start-up time: the other commands do not need a server.
    from api.service.compute_start import start_serving_compute  # noqa: PLC0415 start-up

    settings = serve_settings(args, settings)
    if not _is_loopback(args.host) and not settings.api_keys:
        raise InputError(
            f"--host {args.host}: without RELIEF_API_KEYS the service binds to loopback only "
            "(127.0.0.1); set API keys to serve other hosts"
        )
    print(f"reliefgis: 正在读取图层包 {settings.data_dir} …", file=sys.stderr, flush=True)
    # One server process: it reads the pack once, forks its compute workers' fork server
    # holding it, then imports the web framework while the workers start.
    started = start_serving_compute(settings) if args.workers <= 1 else None
    import uvicorn  # noqa: PLC0415 start-up: after the fork

    from api.app import create_app  # noqa: PLC0415 start-up: as above
    from api.service.bootstrap import load_services, serving  # noqa: PLC0415 start-up: as above

    services = serving(started[1], started[0]) if started else load_services(settings)
    for repair in services.pack.repairs:
        print(f"reliefgis: {repair}", file=sys.stderr)
    print(f"reliefgis: {cli_pack.network_line(services.connectivity)}", file=sys.stderr)
    if services.default_plan is None:
        print("reliefgis: 没有预案覆盖图层包的县区，未设默认预案：请求须指定 plan", file=sys.stderr)
    print(
        f"reliefgis: 服务地址 http://{args.host}:{args.port}/  (API 文档 /docs)；"
        f"计算进程 {settings.compute_processes} 个",
        file=sys.stderr,
        flush=True,
    )
    if args.workers > 1:
        # Each worker process builds its own services from the same settings, passed on
        # through the environment; the pack was checked above.
        os.environ["RELIEF_DATA"] = str(settings.data_dir)
        os.environ["RELIEF_PLANS"] = os.pathsep.join(map(str, settings.plan_dirs))
        os.environ["RELIEF_COMPUTE_PROCESSES"] = str(settings.compute_processes)
        if settings.dask_scheduler:
            os.environ["RELIEF_DASK_SCHEDULER"] = settings.dask_scheduler
        if settings.font:
            os.environ["RELIEF_FONT"] = settings.font
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
        )
        return 0
    uvicorn.run(create_app(services=services), host=args.host, port=args.port, log_level="info")
    return 0


def add_serve(
    serve: argparse.ArgumentParser, *, settings: Callable[[argparse.Namespace], Settings]
) -> None:
    """The options of ``serve``."""
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes, each with its own pack and store connection (default 1)",
    )
    serve.add_argument(
        "--compute-processes",
        type=int,
        metavar="N",
        help="worker processes for assessments and printed maps, which are CPU-bound "
        "(default: RELIEF_COMPUTE_PROCESSES, else one per core up to "
        f"{DEFAULT_MAX_PROCESSES} with one server process, 0 with several; 0: threads of "
        "the server process)",
    )
    with_data(serve)
    with_font(serve)
    with_dask(serve)
    serve.set_defaults(run=lambda args: cmd_serve(args, settings(args)))
