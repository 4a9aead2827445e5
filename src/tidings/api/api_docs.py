"""``/api/docs``: the OpenAPI document in Swagger UI, under the server's own CSP.

FastAPI's page loads Swagger UI from a CDN and starts it with an inline script; our CSP
(``script-src 'self'``) forbids both. So the page here is ours: Swagger UI's files come from
the npm package ``swagger-ui-dist``, copied into the build (``static/api-docs``) by
web/scripts/copy-extras.mjs, and the script that starts it is a file of its own
(decision 0063).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from tidings.client import ClientAssets

PATH = "/api/docs"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="icon" href="/assets/icon-192.png">
<link rel="stylesheet" href="{path}/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{path}/assets/swagger-ui-bundle.js"></script>
<script src="{path}/start.js"></script>
</body>
</html>
"""

# What FastAPI's own page passes to Swagger UI, less the OAuth redirect (no OAuth here).
START = """window.ui = SwaggerUIBundle({
  url: '%s',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


def install(app: FastAPI, static: Path) -> None:
    """The page, its start script and Swagger UI's files (when the build has them)."""
    assets = static / "api-docs"
    if assets.is_dir():
        app.mount(f"{PATH}/assets", ClientAssets(directory=assets), name="api-docs")
    page = PAGE.format(title=app.title, path=PATH)
    start = START % app.openapi_url

    @app.get(PATH, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        if not assets.is_dir():
            raise HTTPException(404, "no API docs in this build (make web)")
        return HTMLResponse(page, headers={"cache-control": "no-cache"})

    @app.get(f"{PATH}/start.js", include_in_schema=False)
    async def api_docs_start() -> Response:
        return Response(start, media_type="text/javascript", headers={"cache-control": "no-cache"})
