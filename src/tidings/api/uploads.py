"""``/files/``: the tus 1.0 server and downloads, as plain Starlette routes.

Request bodies are read with ``request.stream()`` and handed to the files action chunk by
chunk, so memory stays flat whatever the upload's size. These routes parse headers, call an
action and shape the reply; the rules live in ``actions/files.py`` and the header syntax in
``files/tus.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from tidings.actions.context import Actor
from tidings.actions.files import Download, UploadInterrupted
from tidings.api.errors import error_response
from tidings.container import Container
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import StoredFile, Variant
from tidings.files import tus
from tidings.files.http import content_disposition, etag_matches, parse_range

Handler = Callable[[Request, Container], Awaitable[Response]]
_DOWNLOAD_CACHE = "private, max-age=3600"


def install(app: FastAPI) -> None:
    for path in ("/files", "/files/"):
        app.add_route(path, _tus(_creation), methods=["POST", "OPTIONS"], include_in_schema=False)
    app.add_route(
        "/files/{file_id}",
        _tus(_upload),
        methods=["GET", "HEAD", "PATCH", "DELETE", "POST", "OPTIONS"],
        include_in_schema=False,
    )
    app.add_route(
        "/files/{file_id}/thumbnail",
        _tus(_thumbnail),
        methods=["GET", "HEAD"],
        include_in_schema=False,
    )


def _tus(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Every answer carries Tus-Resumable; failures are the usual ``{"error": ...}``."""

    async def endpoint(request: Request) -> Response:
        container: Container = request.app.state.container
        try:
            response = await handler(request, container)
        except TidingsError as error:
            response = error_response(error)
        response.headers["Tus-Resumable"] = tus.VERSION
        return response

    return endpoint


def _method(request: Request) -> str:
    # tus lets clients behind proxies that drop PATCH and DELETE send POST with an override.
    override = request.headers.get("x-http-method-override")
    if request.method == "POST" and override:
        return override.upper()
    return request.method


async def _creation(request: Request, c: Container) -> Response:
    if request.method == "OPTIONS":
        headers = tus.discovery_headers(c.site_settings.max_file_bytes)
        return Response(status_code=204, headers=headers)
    tus.check_version(request.headers)
    actor = await _actor(request, c)
    if "upload-defer-length" in request.headers:
        raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Length is required (no defer)")
    raw_metadata = request.headers.get("upload-metadata")
    metadata = tus.parse_metadata(raw_metadata)
    concat = tus.parse_concat(request.headers.get("upload-concat"), prefix="/files/")
    if concat is not None and not concat.partial:
        # tus concatenation: the final upload's length is its parts', it takes no body.
        if "upload-length" in request.headers:
            raise TidingsError(ErrorCode.INVALID_INPUT, "a final upload has no Upload-Length")
        final = await c.files.do_create_final(
            actor,
            part_ids=list(concat.part_ids),
            concat=request.headers["upload-concat"].strip(),
            metadata=metadata,
            upload_metadata=raw_metadata,
        )
        return Response(
            status_code=201,
            headers={"Location": f"/files/{final.id}", **_progress(c, final)},
        )
    upload = await c.files.do_create_upload(
        actor,
        length=tus.required(request.headers, "Upload-Length"),
        metadata=metadata,
        upload_metadata=raw_metadata,
        partial=concat is not None,
    )
    location = {"Location": f"/files/{upload.id}"}
    if request.headers.get("content-type") and _has_body(request):
        # creation-with-upload: the first bytes come with the creation request.
        try:
            upload = await _receive(request, c, actor, upload.id, offset=0)
        except TidingsError as error:
            response = error_response(error)
            if error.code is not ErrorCode.NOT_AN_IMAGE:
                response.headers.update(location)
            return response
    return Response(status_code=201, headers={**location, **_progress(c, upload)})


async def _upload(request: Request, c: Container) -> Response:
    file_id = request.path_params["file_id"]
    method = _method(request)
    if method == "OPTIONS":
        headers = tus.discovery_headers(c.site_settings.max_file_bytes)
        return Response(status_code=204, headers=headers)
    # GET is always a download; HEAD is tus's offset query only when it says it speaks tus.
    if method == "GET" or (method == "HEAD" and "tus-resumable" not in request.headers):
        return await _download(request, c, file_id, Variant.ORIGINAL)
    tus.check_version(request.headers)
    actor = await _actor(request, c)
    if method == "HEAD":
        upload = await c.files.access_upload_offset(actor, file_id)
        headers = {
            "Upload-Length": str(upload.size),
            "Cache-Control": "no-store",
            **_progress(c, upload),
        }
        if upload.upload_metadata:
            headers["Upload-Metadata"] = upload.upload_metadata
        if upload.concat is not None:
            headers["Upload-Concat"] = "partial" if upload.partial else upload.concat
        return Response(status_code=200, headers=headers)
    if method == "PATCH":
        try:
            upload = await _receive(request, c, actor, file_id, offset=None)
        except UploadInterrupted:
            # The client is gone; this answer reaches nobody.
            return Response(status_code=400)
        return Response(status_code=204, headers=_progress(c, upload))
    if method == "DELETE":
        await c.files.do_terminate(actor, file_id)
        return Response(status_code=204)
    raise TidingsError(ErrorCode.INVALID_INPUT, f"{method} is not a tus request")


async def _thumbnail(request: Request, c: Container) -> Response:
    return await _download(request, c, request.path_params["file_id"], Variant.THUMBNAIL)


async def _receive(
    request: Request, c: Container, actor: Actor, file_id: str, *, offset: int | None
) -> StoredFile:
    tus.check_offset_content_type(request.headers)
    if offset is None:
        offset = tus.required(request.headers, "Upload-Offset")
    return await c.files.do_receive(
        actor,
        file_id,
        offset=offset,
        length=tus.non_negative(request.headers, "Content-Length"),
        chunks=_body(request, c.settings.upload_idle_seconds),
        checksum=tus.parse_checksum(request.headers.get("upload-checksum")),
    )


async def _body(request: Request, idle_seconds: float) -> AsyncIterator[bytes]:
    """The request body, piece by piece; a client that vanished or stalled is an interruption."""
    stream = request.stream()
    try:
        while True:
            try:
                async with asyncio.timeout(idle_seconds):
                    chunk = await anext(stream)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise UploadInterrupted() from None
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise UploadInterrupted() from None
    finally:
        await stream.aclose()


async def _download(request: Request, c: Container, file_id: str, variant: Variant) -> Response:
    user_id = await _reader(request, c, file_id, variant)
    try:
        download = await c.files.access_download(user_id, file_id, variant)
    except TidingsError as error:
        # A link whose user may no longer read the file is dead, like an expired one
        # (docs/protocol.md); a bearer who may not read it is told "not found".
        if error.code is ErrorCode.NOT_FOUND and _is_link(request):
            raise TidingsError(ErrorCode.INVALID_LINK, "this link no longer works") from None
        raise
    headers = {
        "ETag": download.etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": _DOWNLOAD_CACHE,
        # Whatever a file holds, it never runs as a page of this origin.
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
        "Content-Disposition": content_disposition(download.file.name, inline=download.inline),
    }
    if etag_matches(request.headers.get("if-none-match"), download.etag):
        return Response(status_code=304, headers=headers)
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != download.etag:
        wanted = None  # the client's partial copy is of other bytes: send them all
    try:
        span = parse_range(wanted, download.size)
    except TidingsError as error:
        response = error_response(error)
        response.headers["Content-Range"] = f"bytes */{download.size}"
        return response
    start, end = span or (0, download.size)
    headers["Content-Length"] = str(end - start)
    status = 200
    if span is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{download.size}"
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=download.content_type)
    return StreamingResponse(
        _stream(c, download, start, end),
        status_code=status,
        headers=headers,
        media_type=download.content_type,
    )


async def _stream(c: Container, download: Download, start: int, end: int) -> AsyncIterator[bytes]:
    async for chunk in c.files.read(download.key, start, end):
        yield chunk


async def _reader(request: Request, c: Container, file_id: str, variant: Variant) -> int:
    """Who reads: a signed link's session (``sid``, ``exp``, ``sig``), else the bearer."""
    query = request.query_params
    if _is_link(request):
        sid, exp = query.get("sid", ""), query.get("exp", "")
        if not (sid.isascii() and sid.isdigit() and exp.isascii() and exp.isdigit()):
            raise TidingsError(ErrorCode.INVALID_LINK, "this link is not valid")
        if len(sid) > 18 or len(exp) > 12:
            raise TidingsError(ErrorCode.INVALID_LINK, "this link is not valid")
        return await c.files.access_link(
            file_id, variant, session_id=int(sid), expires=int(exp), signature=query.get("sig", "")
        )
    return (await _actor(request, c)).user_id


def _is_link(request: Request) -> bool:
    """Whether the request carries a signed link, whole or in part: a link cut short is a
    dead link (``invalid_link``), not a request without credentials."""
    return any(key in request.query_params for key in ("sid", "exp", "sig"))


async def _actor(request: Request, c: Container) -> Actor:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TidingsError(ErrorCode.UNAUTHENTICATED, "send Authorization: Bearer <token>")
    user, session = await c.accounts.access_session(token.strip())
    return Actor(user.id, session.id)


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length.strip() != "0") or "transfer-encoding" in request.headers


def _progress(c: Container, upload: StoredFile) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.received)}
    expires = c.files.upload_expires_at(upload)
    if expires is not None:
        headers["Upload-Expires"] = tus.http_date(expires)
    return headers
