"""Request limits: a streaming body-size limit (ASGI middleware) and in-memory rate limits."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_json


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes the limit.

    An :class:`HTTPException` on purpose: FastAPI re-raises those from body
    parsing (other exceptions become a 400), and the JSON error handler turns
    it into the 413 answer. ``Connection: close`` makes the server drop the
    connection instead of reading (and discarding) the rest of the upload.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(
            413, f"request body larger than {limit:,} bytes", headers={"Connection": "close"}
        )


class BodyLimitMiddleware:
    """Reject request bodies over ``max_bytes`` with 413 JSON.

    A declared ``Content-Length`` over the limit is refused before reading; the
    bytes actually received are counted too, so a chunked body (no
    Content-Length) or a false length cannot get past the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._reject(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        data = error_json(f"request body larger than {self.max_bytes:,} bytes")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode("ascii")),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (sliding window, in memory).

    Per process: with several workers each keeps its own counts. Memory is
    bounded by ``max_keys`` (the least recently used keys are forgotten).

    To limit only failures (logins), count every attempt with :meth:`hit` before
    doing the work and :meth:`refund` the attempts that succeed: concurrent
    attempts are bounded too, and successful ones never use up the allowance.
    """

    def __init__(self, limit: int, window: float, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, *, now: float | None = None) -> float | None:
        """Count one event for ``key``; None if allowed, else seconds until the next is."""
        t = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.get(key)
            if events is None:
                events = self._events[key] = deque()
                if len(self._events) > self.max_keys:
                    self._events.popitem(last=False)
            else:
                self._events.move_to_end(key)
            while events and events[0] <= t - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(0.0, events[0] + self.window - t)
            events.append(t)
            return None

    def refund(self, key: str) -> None:
        """Take back the last event counted for ``key`` (an attempt that succeeded)."""
        with self._lock:
            events = self._events.get(key)
            if events:
                events.pop()

    def reset(self, key: str) -> None:
        """Forget ``key``'s events."""
        with self._lock:
            self._events.pop(key, None)
