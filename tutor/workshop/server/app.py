"""The class server as an ASGI app: ``create_app(settings)``, so tests, ``--workers N`` and a load balancer all
run the same thing. ``app_from_env`` is the factory uvicorn's workers call (settings from ``TUTOR_WORKSHOP_*``).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tutor.workshop.protocol import MAX_BODY_BYTES

from .routes import router
from .settings import ServerSettings
from .state import ServerState


class BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413, before anything parses it."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(scope, receive, send)
            return
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            total += len(chunks[-1])
            if total > self.limit:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope, receive, send) -> None:
        response = JSONResponse({"detail": f"request body over {self.limit} bytes"}, status_code=413)
        await response(scope, receive, send)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    # Only where and what: echoing the input back could carry text no JSON encoder accepts.
    detail = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def create_app(settings: ServerSettings) -> FastAPI:
    app = FastAPI(
        title="aws-tutor workshop server", version="1", openapi_url="/openapi.json", docs_url=None, redoc_url=None
    )
    app.state.server = ServerState(settings)
    app.include_router(router)
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]  # Starlette types the handler loosely
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    return app


def app_from_env() -> FastAPI:
    return create_app(ServerSettings())  # type: ignore[call-arg]  # pydantic-settings reads them from the environment
