"""Spreadsheet files over REST: a raw request body in, a download out."""

from __future__ import annotations

from fastapi import Request, Response

from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.tables import XLSX_MIME, TableFormat


def table_format(request: Request, explicit: str | None) -> TableFormat:
    """``?format=csv|xlsx``, else the Content-Type of the body."""
    if explicit is not None:
        try:
            return TableFormat(explicit)
        except ValueError:
            raise TidingsError(ErrorCode.INVALID_INPUT, "format is csv or xlsx") from None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return TableFormat.XLSX if content_type == XLSX_MIME else TableFormat.CSV


def download(data: bytes, fmt: TableFormat, name: str) -> Response:
    media = XLSX_MIME if fmt is TableFormat.XLSX else "text/csv; charset=utf-8"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'},
    )
