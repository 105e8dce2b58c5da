"""A small archive for the reading-room tests, written through ``pipelines.archive.Archive``, and
a running ``newsarchive serve`` on it."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.archive import Archive, FetchResult

UNIQUE_WORD = "quokkas"  # in exactly one article body
UNIQUE_TITLE = "Marsupial robotics lab opens"
XSS_TITLE = 'Hostile <script>window.__xss_title = 1</script> <img src=x onerror="window.__xss_img = 1">'
XSS_BODY = ('First paragraph mentions <script>window.__xss_body = 1</script> inline.\n\n'
            'Second paragraph has <img src=x onerror="window.__xss_body_img = 1"> and <b>bold</b>.')
PARAGRAPHS = [
    "The lab opened on Monday with a team of twelve engineers and a budget nobody would confirm.",
    f"Its first project teaches small legged robots to hop like {UNIQUE_WORD}, which the founders "
    "call the most energy-efficient gait they have measured.",
    "A prototype is expected next spring, and the code will be published under an open licence.",
]


def article(site: str, slug: str, title: str, body: str, published: str | None,
            language: str = "en", authors: list[str] | None = None, url: str | None = None) -> dict[str, Any]:
    url = url or f"https://{site}.example/{slug}"
    return {
        "url": url, "fetched_url": url, "site": site, "title": title, "authors": authors or ["Ada Writer"],
        "published": published, "published_source": "meta", "language": language,
        "description": None, "tags": [], "image": None, "body": body,
        "word_count": len(body.split()),
        "content_hash": hashlib.sha256(" ".join(body.casefold().split()).encode()).hexdigest()[:32],
    }


def filler(n: int, topic: str) -> str:
    return "\n\n".join(f"Paragraph {i} about {topic} and the chips, clouds and code behind it." for i in range(1, n + 1))


def saved(archive: Archive, record: dict[str, Any], run_id: int, fetched: str | None = None) -> str:
    result = FetchResult(url=fetched or record["url"], site=record["site"], outcome="article",
                         record=dict(record, requested_url=fetched or record["url"]), run_id=run_id)
    return archive.save([result]).outcomes[0]


def build_archive(path: Path) -> dict[str, Any]:
    """Write the fixture archive; return what a test needs to know about it."""
    archive = Archive.open(path)
    try:
        runs = {site: archive.start_run(site) for site in ("alpha", "beta", "gamma", "delta")}
        alpha, beta, gamma = runs["alpha"], runs["beta"], runs["gamma"]
        unique = article("alpha", "2024/05/marsupial-robots", UNIQUE_TITLE, "\n\n".join(PARAGRAPHS),
                         "2024-05-20T09:15:00Z", authors=["Ada Writer", "Bo Editor"])
        records = [
            unique,
            article("alpha", "2024/05/chips", "Chip makers report record quarter", filler(3, "chip makers"),
                    "2024-05-10T12:00:00Z"),
            article("alpha", "2024/04/cloud", "Cloud prices fall again", filler(4, "cloud prices"),
                    "2024-04-02"),  # a bare date
            article("beta", "2024/05/kernel", "Kernel release adds new scheduler", filler(3, "the kernel"),
                    "2024-05-18T07:00:00", language="de"),  # no time zone
            article("beta", "2024/04/xss", XSS_TITLE, XSS_BODY, "2024-04-25T16:30:00Z"),
            article("gamma", "2024/03/undated", "An undated opinion piece", filler(2, "opinions"), None),
            article("gamma", "2024/05/js", "Link with a script address", filler(2, "addresses"),
                    "2024-05-01T08:00:00Z", url="javascript:alert(document.domain)"),
        ]
        outcomes = [saved(archive, r, runs[r["site"]]) for r in records]
        assert outcomes == ["new"] * len(records), outcomes
        # a short link to an archived article, and the same text under another URL
        amp = saved(archive, records[1], alpha, fetched="https://alpha.example/p/4711")
        copy = article("alpha", "syndicated/chips-copy", "Chip makers report record quarter (copy)",
                       records[1]["body"], "2024-05-11T00:00:00Z")
        same_body = saved(archive, copy, alpha)
        assert (amp, same_body) == ("duplicate", "duplicate"), (amp, same_body)
        revised = saved(archive, dict(records[3], body=records[3]["body"] + "\n\nUpdate: a fix landed.",
                                      content_hash="revised-kernel"), beta)
        assert revised == "revised", revised
        archive.save([
            FetchResult(url="https://beta.example/gone", site="beta", outcome="error", reason="http-404",
                        detail="Not Found", run_id=beta),
            FetchResult(url="https://beta.example/old", site="beta", outcome="error", reason="http-404",
                        detail="Not Found", run_id=beta),
            FetchResult(url="https://gamma.example/walled", site="gamma", outcome="blocked", reason="http-403",
                        detail="Forbidden", run_id=gamma),
        ])
        archive.finish_run(alpha, "ok", {"requests": 9, "pages": 8, "new_articles": 3, "duplicates": 2})
        archive.finish_run(beta, "failed", {"requests": 4, "pages": 2, "new_articles": 2, "errors": 2},
                           message="feed returned HTTP 500")
        archive.finish_run(gamma, "ok", {"requests": 5, "pages": 3, "new_articles": 2, "blocked": 1})
        archive.finish_run(runs["delta"], "ok", {"requests": 3, "pages": 3, "new_articles": 0})
        ids = {r["url"]: archive.db.execute("SELECT id FROM articles WHERE url = ?", [r["url"]]).fetchone()[0]
               for r in records}
    finally:
        archive.close()
    return {"unique_id": ids[unique["url"]], "xss_id": ids[records[4]["url"]],
            "js_url_id": ids[records[6]["url"]], "kernel_id": ids[records[3]["url"]], "records": records}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newsarchive_command() -> list[str]:
    return [sys.executable, "-m", "crawler.cli"]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


PASSWORD = "correct horse battery"  # for `serve --password` (user "editor")
TOKEN = "script-token-for-tests-0123456789"  # for `serve --token`
SIGN_IN = {"NEWSARCHIVE_PASSWORD": PASSWORD, "NEWSARCHIVE_TOKEN": TOKEN}


def start_server(db: Path, log: Path, deadline_s: float = 30.0, sign_in: bool = False) -> Server:
    """Start ``newsarchive serve`` on ``db`` and wait until it answers; with ``sign_in``, a person
    may sign in (``--password``) and scripts may use the token (``--token``)."""
    port = free_port()
    repo = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(repo), **(SIGN_IN if sign_in else {}))
    extra = ["--password", "--token"] if sign_in else []
    out = open(log, "wb")
    process = subprocess.Popen(newsarchive_command() + ["serve", "--db", str(db), "--port", str(port), *extra],
                               stdout=out, stderr=subprocess.STDOUT, cwd=repo, env=env)
    out.close()
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"newsarchive serve exited with {process.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(server.base + "/-/versions.json", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"newsarchive serve did not answer within {deadline_s}s: {log.read_text()}")


@contextmanager
def serving_room(folder: Path, sign_in: bool = False) -> Iterator[tuple[Server, dict[str, Any]]]:
    """The small archive built in ``folder`` and ``newsarchive serve`` running on it; yields the
    server and what ``build_archive`` says the archive holds (and its ``db`` path)."""
    db = folder / "archive.db"
    info = build_archive(db)
    info["db"] = db
    server = start_server(db, folder / "serve.log", sign_in=sign_in)
    try:
        yield server, info
    finally:
        server.stop()


def get(server: Server, path: str) -> tuple[int, str, str]:
    """Status, content type and text of a GET (errors included, not raised)."""
    try:
        with urllib.request.urlopen(server.base + path, timeout=30) as response:
            return response.status, response.headers.get("content-type", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read().decode()


def get_json(server: Server, path: str) -> Any:
    status, _, text = get(server, path)
    assert status == 200, (path, status, text[:2000])
    return json.loads(text)
