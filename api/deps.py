"""Request dependencies shared by every router: the services built at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.service.bootstrap import Services
from geo.errors import NotFound
from layers.store.store import Store


def services(request: Request) -> Services:
    """The services built at start-up."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


def store_of(svc: Services) -> Store:
    """The service's store (every service opens one; the CLI's assess does not serve)."""
    if svc.store is None:  # pragma: no cover - the service always opens one
        raise NotFound("this service keeps no store")
    return svc.store
