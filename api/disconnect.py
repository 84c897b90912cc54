"""A client that goes away before its answer cancels the request's work.

Uvicorn does not stop a request's handler when its client disconnects: an assessment
would keep its compute worker busy for an answer nobody reads. This middleware reads the
request's messages itself (handing them on in order), so it sees ``http.disconnect`` as
soon as the server does; arriving before the answer has started, it cancels the
handler's task. `api.service.compute.Compute.run`, cancelled while a worker process
holds the task, ends that worker.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_DISCONNECT: Message = {"type": "http.disconnect"}


class CancelOnDisconnect:
    """Cancel an HTTP request's handler when its client disconnects before the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, watching its connection while it runs."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # One message at a time: the watcher reads the body no faster than the app takes it.
        messages: asyncio.Queue[Message] = asyncio.Queue(maxsize=1)
        answering = False
        gone = False

        async def app_receive() -> Message:
            if gone and messages.empty():
                return _DISCONNECT
            return await messages.get()

        async def app_send(message: Message) -> None:
            nonlocal answering
            answering = True
            await send(message)

        handler = asyncio.ensure_future(self.app(scope, app_receive, app_send))

        async def watch() -> None:
            nonlocal gone
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone = True
                    if not answering:
                        handler.cancel()
                    with contextlib.suppress(asyncio.QueueFull):
                        messages.put_nowait(message)
                    return
                await messages.put(message)

        watcher = asyncio.ensure_future(watch())
        try:
            await handler
        except asyncio.CancelledError:
            if not (gone and handler.cancelled()):
                raise  # the server itself is cancelling this request: not ours to swallow
        finally:
            watcher.cancel()
