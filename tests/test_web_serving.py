"""What the web client needs of the server beyond the protocol: the app served at its
links (`/invite/<code>`, the link inside invite QR codes) under the same security headers as
`/`, its text files precompressed by the build and cached by their names' hashes (decision
0031), and the group avatar in conversation summaries (the conversation list shows it)."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import brotli
import httpx
import pytest

from tests.support.files import uploaded
from tests.support.social import new_group, online
from tests.support.users import Person

_ROOT = Path(__file__).resolve().parent.parent
_STATIC = Path(tempfile.mkdtemp(prefix="tidings-static-"))
_ASSETS = _STATIC / "assets"
_ASSETS.mkdir()
_SCRIPT = "".join(
    f"export function f{i}(a) {{ return a * {i} + 'tidings'; }}\n" for i in range(2000)
)
_FILES = {
    "/": _STATIC / "index.html",
    "/assets/index-AbCd_3-9.js": _ASSETS / "index-AbCd_3-9.js",
    "/assets/index-Zy12xW34.css": _ASSETS / "index-Zy12xW34.css",
    "/assets/icon.svg": _ASSETS / "icon.svg",
    "/assets/manifest.webmanifest": _ASSETS / "manifest.webmanifest",
}
_FILES["/"].write_text(
    "<!doctype html><title>Tidings</title><div id=root></div>"
    + "<!-- padding so that compression pays -->" * 20,
    encoding="utf-8",
)
_FILES["/assets/index-AbCd_3-9.js"].write_text(_SCRIPT, encoding="utf-8")
_FILES["/assets/index-Zy12xW34.css"].write_text(
    "".join(f".c{i} {{ color: #2563eb; margin: {i}px; }}\n" for i in range(500)), encoding="utf-8"
)
_FILES["/assets/icon.svg"].write_text(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    + '<circle cx="32" cy="32" r="30" fill="#2563eb"/>' * 8
    + "</svg>",
    encoding="utf-8",
)
_FILES["/assets/manifest.webmanifest"].write_text(
    '{"name": "Tidings", "short_name": "Tidings", "start_url": "/", "display": "standalone",'
    ' "icons": [{"src": "/assets/icon-192.png", "sizes": "192x192", "type": "image/png"}]}',
    encoding="utf-8",
)
# The service worker (decision 0042): at the root, like index.html.
_FILES["/sw.js"] = _STATIC / "sw.js"
_FILES["/sw.js"].write_text(
    "self.addEventListener('fetch', () => undefined);\n" * 20, encoding="utf-8"
)
_PNG = os.urandom(4000)  # stands for an image: compressed already
(_ASSETS / "icon-192.png").write_bytes(_PNG)
# The build's own step writes the .br and .gz copies (as `npm run build` does).
subprocess.run(
    [shutil.which("node") or "node", str(_ROOT / "web/scripts/precompress.mjs"), str(_STATIC)],
    check=True,
    capture_output=True,
)
# The conftest's server fixture starts the server with these (on both storage engines).
SERVER_ENV = {"TIDINGS_STATIC_DIR": str(_STATIC)}


async def test_invite_links_open_the_app_with_the_security_headers(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        root = await http.get("/")
        invite = await http.get("/invite/Abc-def_12345678")
        assert root.status_code == invite.status_code == 200
        assert invite.text == root.text and "id=root" in invite.text
        assert invite.headers["content-type"].startswith("text/html")
        assert invite.headers["cache-control"] == "no-cache"
        for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
            assert invite.headers[name] == root.headers[name]
        assert "script-src 'self'" in invite.headers["content-security-policy"]
        # Only the shape of a code: anything else stays unknown.
        for bad in (
            "/invite/",
            "/invite/short",
            "/invite/a%3Cb%3Eccccccc",
            "/invite/x/y",
            "/invitex",
        ):
            assert (await http.get(bad)).status_code == 404, bad


async def test_group_summaries_carry_the_group_avatar(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob, name="Rockets")
        summary = await a.request("conversation.get", {"conversation_id": group})
        assert summary["avatar"] == ""
        await a.request("group.update", {"conversation_id": group, "avatar": "emoji:🚀"})
        for client in (a, b):
            summary = await client.request("conversation.get", {"conversation_id": group})
            assert summary["avatar"] == "emoji:🚀"
        listed = await b.request("conversations.list", {})
        by_id = {c["id"]: c for c in listed["conversations"]}
        assert by_id[group]["avatar"] == "emoji:🚀"
        direct = await a.request("conversation.open_direct", {"peer_id": bob.id})
        assert "avatar" not in direct
        # The invite's preview shows it too (the app's invite page).
        invite = await a.request("invites.create", {"kind": "group", "conversation_id": group})
        preview = await b.request("invites.get", {"code": invite["code"]})
        assert preview["group"]["avatar"] == "emoji:🚀"


async def _raw(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], method: str = "GET"
) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent (httpx would undo the content coding)."""
    async with http.stream(method, path, headers=headers) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


@pytest.mark.parametrize("path", sorted(_FILES))
async def test_text_files_go_out_precompressed_as_the_client_accepts(
    base_url: str, path: str
) -> None:
    original = _FILES[path].read_bytes()
    decoders = {"br": brotli.decompress, "gzip": gzip.decompress}
    async with httpx.AsyncClient(base_url=base_url) as http:
        etags = set()
        for accept, coding in [
            ("gzip, deflate, br", "br"),
            ("br", "br"),
            ("gzip", "gzip"),
            ("br;q=0.5, gzip", "gzip"),
            ("*", "br"),
            ("*, br;q=0", "gzip"),
            ("identity", None),
            ("br;q=0, gzip;q=0", None),
            ("", None),
        ]:
            response, body = await _raw(http, path, {"Accept-Encoding": accept})
            assert response.status_code == 200, accept
            assert response.headers["vary"] == "Accept-Encoding", accept
            assert response.headers.get("content-encoding") == coding, accept
            assert response.headers["content-length"] == str(len(body))
            assert (decoders[coding](body) if coding else body) == original, accept
            if coding:
                assert len(body) < len(original)
            etags.add((coding, response.headers["etag"]))
        # One ETag per coding: a cache never takes one coding's bytes for another's.
        assert len({etag for _, etag in etags}) == 3
        kind = response.headers["content-type"]
        assert kind.split(";")[0] in {
            "text/html",
            "text/javascript",
            "text/css",
            "image/svg+xml",
            "application/manifest+json",
            "text/plain",
        }
        assert "gzip" not in kind and "brotli" not in kind
        # HEAD: the same headers, no body.
        got, _ = await _raw(http, path, {"Accept-Encoding": "br"})
        head, body = await _raw(http, path, {"Accept-Encoding": "br"}, method="HEAD")
        assert head.status_code == 200 and body == b""
        for name in ("content-encoding", "content-length", "etag", "vary", "cache-control"):
            assert head.headers[name] == got.headers[name], name


async def test_hashed_files_are_immutable_and_the_rest_revalidated(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        for path in ("/assets/index-AbCd_3-9.js", "/assets/index-Zy12xW34.css"):
            response = await http.get(path, headers={"Accept-Encoding": "br"})
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        for path in ("/", "/invite/Abc-def_12345678", "/assets/manifest.webmanifest"):
            response = await http.get(path, headers={"Accept-Encoding": "br"})
            assert response.headers["cache-control"] == "no-cache", path
        for path in ("/assets/icon.svg", "/assets/icon-192.png"):
            response = await http.get(path)
            assert response.headers["cache-control"] == "no-cache", path


async def test_the_service_worker_is_served_at_the_root_and_always_revalidated(
    base_url: str,
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get("/sw.js", headers={"Accept-Encoding": "br"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        # Never immutable: browsers find a new build by fetching it again.
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["content-encoding"] == "br"
        assert response.content == _FILES["/sw.js"].read_bytes()
        head = await http.head("/sw.js")
        assert head.status_code == 200 and head.content == b""
        again = await http.get("/sw.js", headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        # The worker's scope is `/` by where it is served; no other name reaches it.
        assert (await http.get("/assets/sw.js")).status_code == 404


async def test_conditional_requests_answer_304_per_coding(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        for path in ("/", "/assets/index-AbCd_3-9.js", "/assets/manifest.webmanifest"):
            for accept in ("br", "gzip", "identity"):
                first = await http.get(path, headers={"Accept-Encoding": accept})
                etag = first.headers["etag"]
                again, body = await _raw(
                    http, path, {"Accept-Encoding": accept, "If-None-Match": etag}
                )
                assert again.status_code == 304 and body == b"", (path, accept)
                assert again.headers["etag"] == etag
                assert again.headers["vary"] == "Accept-Encoding"
                assert again.headers["cache-control"] == first.headers["cache-control"]
                dated = await http.get(
                    path,
                    headers={
                        "Accept-Encoding": accept,
                        "If-Modified-Since": first.headers["last-modified"],
                    },
                )
                assert dated.status_code == 304
            # Another coding's ETag is another representation: the full answer.
            identity = await http.get(path, headers={"Accept-Encoding": "identity"})
            other = await http.get(
                path, headers={"Accept-Encoding": "br", "If-None-Match": identity.headers["etag"]}
            )
            assert other.status_code == 200 and other.headers["content-encoding"] == "br"


async def test_ranges_get_the_uncompressed_bytes(base_url: str) -> None:
    original = _FILES["/assets/index-AbCd_3-9.js"].read_bytes()
    async with httpx.AsyncClient(base_url=base_url) as http:
        response, body = await _raw(
            http,
            "/assets/index-AbCd_3-9.js",
            {"Accept-Encoding": "br, gzip", "Range": "bytes=100-199"},
        )
        assert response.status_code == 206
        assert "content-encoding" not in response.headers
        assert response.headers["content-range"] == f"bytes 100-199/{len(original)}"
        assert body == original[100:200]
        assert response.headers["vary"] == "Accept-Encoding"


async def test_images_and_the_copies_themselves_are_not_recoded(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        png, body = await _raw(http, "/assets/icon-192.png", {"Accept-Encoding": "br, gzip"})
        assert png.status_code == 200 and body == _PNG
        assert "content-encoding" not in png.headers and "vary" not in png.headers
        assert not (_ASSETS / "icon-192.png.br").exists()
        # The copies are not files of the app: by their own name they would be mislabelled.
        for copy in ("/assets/index-AbCd_3-9.js.br", "/assets/index-AbCd_3-9.js.gz"):
            assert (await http.get(copy)).status_code == 404, copy


async def test_file_downloads_are_not_recoded(base_url: str, alice: Person) -> None:
    data = b"plain text that would compress well " * 200
    async with httpx.AsyncClient(base_url=base_url) as http:
        file_id = await uploaded(http, alice.token, data, filename="notes.txt")
        bearer = {"Authorization": f"Bearer {alice.token}", "Accept-Encoding": "br, gzip"}
        full, body = await _raw(http, f"/files/{file_id}", bearer)
        assert full.status_code == 200 and body == data
        assert "content-encoding" not in full.headers
        assert full.headers["accept-ranges"] == "bytes"
        part, body = await _raw(http, f"/files/{file_id}", {**bearer, "Range": "bytes=10-19"})
        assert part.status_code == 206 and body == data[10:20]
        same = await http.get(
            f"/files/{file_id}", headers={**bearer, "If-None-Match": full.headers["etag"]}
        )
        assert same.status_code == 304
        api, _ = await _raw(http, "/healthz", {"Accept-Encoding": "br, gzip"})
        assert "content-encoding" not in api.headers


def test_the_build_refuses_public_files_named_like_hashed_ones(tmp_path: Path) -> None:
    # The server caches `name-XXXXXXXX.ext` for a year: a public/ file so named never changes.
    public = tmp_path / "public"
    (public / "assets").mkdir(parents=True)
    (public / "assets" / "logo-abcd1234.png").write_bytes(b"png")
    build = tmp_path / "build"
    build.mkdir()
    script = str(_ROOT / "web/scripts/precompress.mjs")
    refused = subprocess.run(
        ["node", script, str(build), str(public)], capture_output=True, text=True
    )
    assert refused.returncode == 1 and "logo-abcd1234.png" in refused.stderr
    (public / "assets" / "logo-abcd1234.png").rename(public / "assets" / "logo.png")
    subprocess.run(["node", script, str(build), str(public)], check=True, capture_output=True)
