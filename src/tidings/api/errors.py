"""Every REST failure is ``{"error": {"code", "message"}}`` with the code's HTTP status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import ORJSONResponse
from starlette.exceptions import HTTPException

from tidings.domain.errors import ErrorCode, TidingsError

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
}


def error_response(error: TidingsError) -> ORJSONResponse:
    headers = None
    if error.code is ErrorCode.RATE_LIMITED and isinstance(error.details, dict):
        headers = {"Retry-After": str(error.details.get("retry_after", 1))}
    return ORJSONResponse(
        {"error": error.to_wire()}, status_code=error.http_status, headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(TidingsError)
    async def _tidings(_: Request, exc: TidingsError) -> ORJSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> ORJSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(
                TidingsError(ErrorCode.MALFORMED_JSON, "the request body is not valid JSON")
            )
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in errors[:5]
        ]
        first = details[0] if details else {"loc": [], "msg": "invalid"}
        return error_response(
            TidingsError(
                ErrorCode.INVALID_INPUT,
                f"{'.'.join(first['loc'][1:]) or 'body'}: {first['msg']}",
                details=details,
            )
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> ORJSONResponse:
        if isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI reports a JSON body that is not UTF-8 as a 400 caused by the decode error.
            return error_response(
                TidingsError(ErrorCode.INVALID_UTF8, "the request body is not UTF-8")
            )
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.INVALID_INPUT)
        return ORJSONResponse(
            {"error": {"code": code.value, "message": str(exc.detail)}},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> ORJSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return error_response(TidingsError(ErrorCode.INTERNAL, "internal error"))
