"""Uploading and downloading files, resumably (tus 1.0 up, HTTP ranges down).

    async with TidingsFiles("http://127.0.0.1:8080", token=token) as files:
        info = await files.upload("report.pdf", on_created=remember_url)
        await files.download(info["id"], Path("copy.pdf"))

An upload survives a cut connection (the SDK asks the server's offset and goes on from it)
and a crashed process (pass the URL ``on_created`` gave you as ``upload_url`` next time). A
download goes to ``<dest>.part`` and picks up where that file ends.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any, cast

import httpx

from tidings.sdk.errors import ServerError

TUS_VERSION = "1.0.0"
DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024
# Statuses worth retrying: the server or a proxy hiccuped, another request still held the
# upload (423), or our view of the offset was stale (409: ask again).
_RETRY_STATUSES = frozenset({409, 423, 500, 502, 503, 504})

Progress = Callable[[int, int], None]


class TidingsFiles:
    def __init__(
        self,
        base_url: str,
        *,
        token: str,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        retries: int = 5,
        backoff: float = 0.5,
        timeout: float = 120,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.chunk_bytes = chunk_bytes
        self.retries = retries
        # Seconds before the first retry; doubled on each failure in a row, at most 10.
        self.backoff = backoff
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}"},
        )

    async def __aenter__(self) -> TidingsFiles:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    # Uploading

    async def create(
        self,
        size: int,
        *,
        name: str,
        mime: str = "",
        expiry_days: int | None = None,
        metadata: dict[str, str] | None = None,
    ) -> str:
        """Start an upload; returns its URL path (``/files/<id>``), also the file's URL."""
        fields = {"filename": name, "filetype": mime, **(metadata or {})}
        if expiry_days is not None:
            fields["expiry_days"] = str(expiry_days)
        response = await self._http.post(
            "/files/",
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Length": str(size),
                "Upload-Metadata": encode_metadata(fields),
            },
        )
        _check(response)
        return str(response.headers["location"])

    async def offset(self, upload_url: str) -> int:
        """How many bytes of the upload the server holds durably."""
        response = await self._http.head(upload_url, headers={"Tus-Resumable": TUS_VERSION})
        _check(response)
        return int(response.headers["upload-offset"])

    async def upload(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        mime: str = "",
        expiry_days: int | None = None,
        metadata: dict[str, str] | None = None,
        upload_url: str | None = None,
        on_created: Callable[[str], None] | None = None,
        on_progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Upload a file, resuming ``upload_url`` if given; returns the file's info.

        Each chunk carries a sha1 Upload-Checksum, so a damaged chunk is refused (460) and
        sent again. Network failures are retried up to ``retries`` times in a row, each
        time from the offset the server reports.
        """
        source = Path(path)
        size = (await asyncio.to_thread(source.stat)).st_size
        if upload_url is None:
            upload_url = await self.create(
                size,
                name=name or source.name,
                mime=mime,
                expiry_days=expiry_days,
                metadata=metadata,
            )
            if on_created is not None:
                on_created(upload_url)
        failures = 0
        offset = await self._retrying(lambda: self.offset(upload_url))
        handle = await asyncio.to_thread(open, source, "rb")
        with handle:
            while offset < size:
                if on_progress is not None:
                    on_progress(offset, size)
                chunk = await asyncio.to_thread(_read_at, handle, offset, self.chunk_bytes)
                try:
                    offset = await self._patch(upload_url, offset, chunk)
                    failures = 0
                except (httpx.TransportError, _Retry):
                    failures += 1
                    if failures > self.retries:
                        raise
                    await asyncio.sleep(min(self.backoff * 2 ** (failures - 1), 10))
                    offset = await self._retrying(lambda: self.offset(upload_url))
        if on_progress is not None:
            on_progress(size, size)
        return await self.info(upload_url.rsplit("/", 1)[-1])

    async def terminate(self, upload_url: str) -> None:
        response = await self._http.delete(upload_url, headers={"Tus-Resumable": TUS_VERSION})
        _check(response)

    # Reading

    async def info(self, file_id: str) -> dict[str, Any]:
        response = await self._http.get(f"/api/v1/files/{file_id}")
        _check(response)
        info: dict[str, Any] = response.json()
        return info

    async def link(
        self, file_id: str, *, variant: str = "original", ttl_seconds: int | None = None
    ) -> str:
        """A short-lived URL that needs no token (for <img> and <video>)."""
        body: dict[str, Any] = {"variant": variant}
        if ttl_seconds is not None:
            body["ttl_seconds"] = ttl_seconds
        response = await self._http.post(f"/api/v1/files/{file_id}/links", json=body)
        _check(response)
        return self.base_url + str(response.json()["url"])

    async def download(
        self, file_id: str, dest: str | os.PathLike[str], *, on_progress: Progress | None = None
    ) -> Path:
        """Download to ``dest``, resuming a ``<dest>.part`` left by an earlier attempt."""
        target = Path(dest)
        partial = target.with_name(target.name + ".part")
        tag_file = target.with_name(target.name + ".part.etag")
        failures = 0
        while True:
            try:
                await self._download_rest(file_id, partial, tag_file, on_progress)
                break
            except (httpx.TransportError, _Retry):
                failures += 1
                if failures > self.retries:
                    raise
                await asyncio.sleep(min(self.backoff * 2 ** (failures - 1), 10))
        os.replace(partial, target)
        tag_file.unlink(missing_ok=True)
        return target

    # Internals

    async def _patch(self, upload_url: str, offset: int, chunk: bytes) -> int:
        digest = base64.b64encode(hashlib.sha1(chunk, usedforsecurity=False).digest()).decode()
        response = await self._http.patch(
            upload_url,
            content=chunk,
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Upload-Checksum": f"sha1 {digest}",
            },
        )
        if response.status_code in _RETRY_STATUSES or response.status_code == 460:
            raise _Retry()
        _check(response)
        return int(response.headers["upload-offset"])

    async def _download_rest(
        self, file_id: str, partial: Path, tag_file: Path, on_progress: Progress | None
    ) -> None:
        have, tag = await asyncio.to_thread(_partial_state, partial, tag_file)
        headers: dict[str, str] = {}
        if have and tag:
            headers = {"Range": f"bytes={have}-", "If-Range": tag}
        async with self._http.stream("GET", f"/files/{file_id}", headers=headers) as response:
            if response.status_code in _RETRY_STATUSES:
                raise _Retry()
            if response.status_code == 416:
                return  # the partial file is already whole
            if response.status_code >= 400:
                await response.aread()
                _check(response)
            resumed = response.status_code == 206
            total = int(response.headers.get("content-length", "0")) + (have if resumed else 0)
            await asyncio.to_thread(tag_file.write_text, response.headers.get("etag", ""))
            out = await asyncio.to_thread(open, partial, "ab" if resumed else "wb")
            # Closed here, not by the garbage collector, when the download is cancelled
            # (paused) in the middle: a stream left open outlives its event loop.
            with out:
                done = have if resumed else 0
                stream = cast("AsyncGenerator[bytes, None]", response.aiter_bytes(1024 * 1024))
                async with contextlib.aclosing(stream) as chunks:
                    async for data in chunks:
                        await asyncio.to_thread(out.write, data)
                        done += len(data)
                        if on_progress is not None:
                            on_progress(done, total)

    async def _retrying(self, call: Callable[[], Any]) -> Any:
        for attempt in range(self.retries + 1):
            with contextlib.suppress(httpx.TransportError, _Retry):
                return await call()
            await asyncio.sleep(min(self.backoff * 2**attempt, 10))
        return await call()


class _Retry(Exception):
    """A status that means "try again from the server's offset"."""


def encode_metadata(fields: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key
        for key, value in fields.items()
    )


def _partial_state(partial: Path, tag_file: Path) -> tuple[int, str]:
    """How much of a download is already here, and the ETag of the bytes it holds."""
    have = partial.stat().st_size if partial.exists() else 0
    return have, tag_file.read_text() if tag_file.exists() else ""


def _read_at(handle: Any, offset: int, size: int) -> bytes:
    handle.seek(offset)
    data: bytes = handle.read(size)
    return data


def _check(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        error = response.json()["error"]
        raise ServerError(error["code"], error["message"], response.status_code)
    except (ValueError, KeyError, TypeError):
        raise ServerError("http_error", response.text, response.status_code) from None
