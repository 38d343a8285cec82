"""Security headers of the review pages: Content-Security-Policy and friends.

The pages load scripts, styles and images from this site only and run no inline
script (``static/app.js`` is the only script); forms post to this site only;
no other site may frame them. The API (``/api/``) and the interactive API
documentation (which loads Swagger UI from its CDN) are left as they are.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
NOT_PAGES = ("/api/", "/docs", "/redoc", "/openapi.json")


class PageSecurityHeaders:
    """ASGI middleware: :data:`PAGE_HEADERS` on every response outside :data:`NOT_PAGES`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to a page's response."""
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(NOT_PAGES):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
