"""What anyone may read before signing in: the site settings and the brand's images (K4,
I10; decision 0057). Nothing here is secret; the answers are cacheable with an ETag."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse

from tidings.api.deps import C
from tidings.files.http import etag_matches
from tidings.store import codec

router = APIRouter(prefix="/api/v1/public", tags=["public"])

BrandingFileId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]

_EXAMPLE = {
    "version": 3,
    "settings": {
        "modules": {"file_sending": True, "recall": False, "...": "..."},
        "buttons": {"plus_file": True, "contacts_add_friend": True, "...": "..."},
        "limits": {
            "recall_window_seconds": 120,
            "group_size_limit": 10000,
            "max_file_bytes": 21474836480,
        },
        "branding": {
            "product_name": "Tidings",
            "logo": "file:3kq9...",
            "brand_colour": "#2f6fed",
            "sign_in_text": "",
            "sign_in_background": "",
        },
    },
}


@router.get(
    "/settings",
    summary="The site settings (modules, client entries, limits, brand), before sign-in too",
    responses={200: {"content": {"application/json": {"example": _EXAMPLE}}}},
)
async def public_settings(request: Request, c: C) -> Response:
    site = c.site_settings
    etag = f'"site-{site.version}"'
    # no-cache: kept, but asked again each time (a 304 while the version stands).
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(codec.dumps(site.public()), media_type="application/json", headers=headers)


@router.get(
    "/branding/{file_id}",
    summary="The logo or the sign-in background (only the ones in force)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}}},
)
async def branding_image(request: Request, file_id: BrandingFileId, c: C) -> Response:
    key, size, mime = await c.site_settings.branding_image(file_id)
    etag = f'"{key}.{size}"'
    # A new image is a new file id: what one id names never changes.
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Content-Length": str(size),
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)

    async def body() -> Any:
        async for chunk in c.files.read(key, 0, size):
            yield chunk

    return StreamingResponse(body(), headers=headers, media_type=mime)
