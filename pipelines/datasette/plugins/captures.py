"""The pages as fetched, from the WARC files: ``/-/captures/ID`` shows one capture of an
article without ever running it, and the article page lists its captures.

The archived page is served with ``Content-Security-Policy: sandbox; default-src 'none'`` (no
scripts, no same origin, no form posts, nothing loaded: no image, stylesheet or font from the
site or anywhere else), ``X-Content-Type-Options: nosniff`` and no referrer. A revisit shows the
capture it confirms. The WARC folder is ``warcs/`` beside the archive unless ``newsarchive serve
--warcs DIR`` says otherwise (plugin setting ``newsarchive-captures.directory``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from datasette import Response, hookimpl

from pipelines.warc import decoded_body, read_record

PLUGIN = "newsarchive-captures"
SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"


def _database(datasette):
    names = [name for name in datasette.databases if name != "_internal"]
    return datasette.get_database(names[0]) if names else None


def _folder(datasette, db) -> Path:
    directory = (datasette.plugin_config(PLUGIN) or {}).get("directory")
    return Path(directory) if directory else Path(db.path).parent / "warcs"


async def capture_page(datasette, request):
    db = _database(datasette)
    capture_id = int(request.url_vars["capture_id"])
    if db is None or "captures" not in await db.table_names():
        return Response.text("This archive has no captures.", status=404)
    row = (await db.execute("SELECT * FROM captures WHERE id = ?", [capture_id])).first()
    if row is None:
        return Response.text(f"No capture {capture_id}.", status=404)
    if row["revisit_of"]:
        row = (await db.execute("SELECT * FROM captures WHERE id = ?", [row["revisit_of"]])).first() or row
    try:
        record = await asyncio.to_thread(read_record, _folder(datasette, db), row["warc"], row["offset"],
                                         row["length"])
        body = await asyncio.to_thread(decoded_body, record)
    except (OSError, StopIteration, ValueError) as exc:
        return Response.text(f"Capture {capture_id} cannot be read from {row['warc']}: {exc}", status=404)
    content_type = (record.http_headers.get_header("Content-Type") if record.http_headers else None) or "text/html"
    return Response(body, content_type=content_type, headers={
        "Content-Security-Policy": SANDBOX, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY", "Cache-Control": "private, max-age=3600"})


@hookimpl
def register_routes():
    return [(r"^/-/captures/(?P<capture_id>\d+)$", capture_page)]


@hookimpl
def extra_template_vars(template, datasette):
    async def captures_of(article_id: int) -> list[dict[str, Any]]:
        db = _database(datasette)
        if db is None or "captures" not in await db.table_names():
            return []
        result = await db.execute(
            "SELECT id, fetched, status, length, revisit_of FROM captures WHERE article_id = ? ORDER BY id DESC "
            "LIMIT 50", [article_id])
        return [dict(r) for r in result.rows]

    return {"captures_of": captures_of}
