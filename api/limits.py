"""ASGI middleware refusing request bodies over the configured size (413) or nesting (422)."""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.body_depth import DepthScan
from api.errors import PROBLEM_JSON


def _is_json(headers: dict[bytes, bytes]) -> bool:
    """Whether the body is JSON (``application/json`` or any ``+json``)."""
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return kind == b"application/json" or kind.endswith(b"+json")


class BodyLimit:
    """Refuse bodies larger than ``max_bytes``, by Content-Length or while streaming.

    A JSON body is also scanned as it streams: one nested deeper than ``max_nesting``
    is refused (422) before the JSON parser, which recurses, sees it.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_nesting: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_nesting = max_nesting

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Content Too Large",
                "status": 413,
                "detail": f"request body is larger than the limit of {self.max_bytes} bytes",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 once its body is over the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        scan = DepthScan(self.max_nesting) if self.max_nesting and _is_json(headers) else None

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPException from body parsing; the handler in
                    # api/errors.py turns it into problem+json.
                    raise HTTPException(
                        413, f"request body is larger than the limit of {self.max_bytes} bytes"
                    )
                if scan is not None:
                    scan.feed(message.get("body", b""))
            return message

        await self.app(scope, limited_receive, send)
