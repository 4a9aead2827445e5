"""Helpers for the file tests: tus requests by hand, sample media, and time passing."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from PIL import Image

from tests.support.server import ServerProcess

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_TYPE = {"Content-Type": "application/offset+octet-stream"}


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **TUS, **headers}


def metadata(**fields: str) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in fields.items()
    )


async def create(http: httpx.AsyncClient, token: str, size: int, **fields: str) -> httpx.Response:
    fields.setdefault("filename", "data.bin")
    return await http.post(
        "/files/",
        headers=auth(token, **{"Upload-Length": str(size), "Upload-Metadata": metadata(**fields)}),
    )


async def upload(
    http: httpx.AsyncClient, token: str, data: bytes, **fields: str
) -> tuple[str, httpx.Response]:
    """Create and send in one PATCH; returns the file id and the PATCH's answer."""
    created = await create(http, token, len(data), **fields)
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    patched = await http.patch(
        url, content=data, headers=auth(token, **OFFSET_TYPE, **{"Upload-Offset": "0"})
    )
    return url.rsplit("/", 1)[1], patched


async def uploaded(http: httpx.AsyncClient, token: str, data: bytes, **fields: str) -> str:
    file_id, patched = await upload(http, token, data, **fields)
    assert patched.status_code == 204, patched.text
    return file_id


def sha1_header(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode()


def error_code(response: httpx.Response) -> Any:
    return response.json()["error"]["code"]


def jpeg(
    width: int = 64, height: int = 32, *, orientation: int | None = None, gps: bool = False
) -> bytes:
    """A JPEG, optionally with an EXIF orientation and a GPS position (Berlin)."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
    image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (33.0, 51.0, 54.0)}
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 128, 255, 128)).save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


def animated_gif(frames: int = 4, size: int = 600) -> bytes:
    images = [
        Image.new("RGB", (size, size // 2), color=(index * 60, 255 - index * 60, 0))
        for index in range(frames)
    ]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def age_file(server: ServerProcess, file_id: str) -> None:
    """Let a file's expiry pass (a day is too long to wait for in a test)."""
    url = server.env.get("TIDINGS_DATABASE_URL")
    if url:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("UPDATE files SET expires_at = 1 WHERE id = $1", file_id)
        finally:
            await conn.close()
        return
    with sqlite3.connect(server.data_dir / "tidings.db", timeout=30) as conn:
        conn.execute("UPDATE files SET expires_at = 1 WHERE id = ?", (file_id,))


async def idle_upload(server: ServerProcess, file_id: str) -> None:
    """Make an upload look untouched for a long time (abandoned)."""
    url = server.env.get("TIDINGS_DATABASE_URL")
    if url:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("UPDATE files SET updated_at = 1 WHERE id = $1", file_id)
        finally:
            await conn.close()
        return
    with sqlite3.connect(server.data_dir / "tidings.db", timeout=30) as conn:
        conn.execute("UPDATE files SET updated_at = 1 WHERE id = ?", (file_id,))


def stored_files(server: ServerProcess) -> set[str]:
    """Every file under the data directory, relative to it (the database aside)."""
    root = server.data_dir
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(("tidings.db", "server.log"))
    }


def random_file(path: Path, size: int) -> str:
    """Write ``size`` random bytes; return their sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left:
            block = os.urandom(min(left, 4 * 1024 * 1024))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


async def download_sha256(base_url: str, url: str, token: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=120) as http,
        http.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        assert response.status_code == 200, await response.aread()
        async for block in response.aiter_bytes(1024 * 1024):
            digest.update(block)
    return response.status_code, digest.hexdigest()
