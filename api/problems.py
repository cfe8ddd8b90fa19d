"""Errors as ``application/problem+json`` (RFC 9457): every failure the API returns has one shape.

ApiProblem            raised by routes: a status, a title and a detail naming what and where
GraphUnavailable      the graph cannot be reached -> 503 with Retry-After (never a traceback)
QueryError            the graph rejected a statement -> 500, the query named, no driver text
RequestValidationError / HTTPException -> their status, as a problem
anything else         -> 500 "internal error", logged with its traceback, never sent
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph import GraphUnavailable, QueryError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_S = 5
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
    422: "Invalid request",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """The body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[dict[str, Any]] | None = None


class ApiProblem(Exception):
    """Raise from a route to answer with a problem."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def problem_response(
    status: int,
    detail: str,
    request: Request | None = None,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = Problem(
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else "",
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


def _clean_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, without echoing the submitted value (it may be large or sensitive)."""
    return [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()[:20]
    ]


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(exc.status, exc.detail, request, headers=exc.headers)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(exc.status_code, str(exc.detail), request, headers=headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_errors(exc)
    where = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:3])
    return problem_response(422, f"invalid request: {where}", request, errors=errors)


async def _on_graph_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("graph unavailable for %s: %s", request.url.path, exc)
    return problem_response(
        503, "the graph database is unavailable; retry later", request, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


async def _on_query_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueryError)
    log.error("query %s failed for %s: %s", exc.name, request.url.path, exc.cause)
    return problem_response(500, f"query {exc.name!r} failed", request)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem_response(500, "internal error", request)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(ApiProblem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(GraphUnavailable, _on_graph_down)
    app.add_exception_handler(QueryError, _on_query_error)
    app.add_exception_handler(Exception, _on_unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route may answer with (content type fixed by ``problem_openapi``)."""
    return {s: {"model": Problem, "description": TITLES.get(s, "Error")} for s in statuses}


COMMON = responses(401, 403, 404, 422, 503)


def problem_openapi(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare every 4xx/5xx body as ``application/problem+json`` (FastAPI would say application/json)."""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                ref = str(content.get("application/json", {}).get("schema", {}).get("$ref", ""))
                if str(status)[0] in "45" and ref.endswith("/Problem"):
                    content[PROBLEM_JSON] = content.pop("application/json")
    return spec
