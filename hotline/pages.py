"""What browsers get that API clients do not: HTML error pages in the reader's language, the
login redirect, and the API documentation served from packaged assets (no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from config.auth import LoginRequired, Principal, principal_of, require
from config.errors import HotlineError, NotFound
from config.i18n import N_, gettext
from config.web import render, request_locale

DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
TITLES = {
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Conflict"),
    422: N_("Check what was entered"),
    429: N_("Too many requests"),
}


def wants_html(request: Request) -> bool:
    """A browser navigating (not ``/api/``, not a script asking for JSON)."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error_page(request: Request, status: int, detail: str) -> Response:
    locale = request_locale(request)
    title = gettext(locale, TITLES.get(status, N_("Something went wrong")))
    return render(
        request, "console/error.html", {"status": status, "title": title, "detail": detail}, status_code=status
    )


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(HotlineError)
    async def _hotline_error(request: Request, exc: HotlineError) -> Response:
        if isinstance(exc, LoginRequired) and wants_html(request) and request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if wants_html(request):
            return _error_page(request, exc.status_code, exc.message)
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html(request):
            await run_in_threadpool(principal_of, request)  # the page's menu, for a logged-in reader
            detail = str(exc.detail)
            if exc.status_code == 404 and detail == "Not Found":
                detail = gettext(request_locale(request), "There is no page at this address.")
            return _error_page(request, exc.status_code, detail)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request):
            detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
            return _error_page(request, 422, detail)
        return JSONResponse({"detail": exc.errors()}, status_code=422)


docs_router = APIRouter(include_in_schema=False)
StaffOnly = Annotated[Principal, Depends(require("console.view"))]


@docs_router.get("/openapi.json")
def openapi_schema(request: Request, who: StaffOnly) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@docs_router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request, who: StaffOnly) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=request.app.title,
        swagger_js_url="/docs-assets/swagger-ui-bundle.js",
        swagger_css_url="/docs-assets/swagger-ui.css",
        swagger_favicon_url="/docs-assets/favicon.png",
    )


@docs_router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request, who: StaffOnly) -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title=request.app.title,
        redoc_js_url="/docs-assets/redoc.standalone.js",
        redoc_favicon_url="/docs-assets/favicon.png",
        with_google_fonts=False,
    )


@docs_router.get("/docs-assets/{name}")
def docs_asset(name: str, who: StaffOnly) -> FileResponse:
    path = DOCS_ASSETS / name
    if name not in {p.name for p in DOCS_ASSETS.iterdir()}:
        raise NotFound(f"no documentation asset {name!r}")
    return FileResponse(path)
