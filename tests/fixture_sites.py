"""A real HTTP server for fixture sites, and the pages those sites are made of.

Each ``FixtureServer`` is a ``ThreadingHTTPServer`` on a loopback address and an ephemeral port,
serving routes a test registers (static responses or handler functions). It counts requests per
path, so a test can assert that something was never fetched. Every site gets its own server (its
own ``/robots.txt`` and homepage); ``ServerPool`` owns them for a test session.

The article text is generated here from a seed, so every article has distinct, plausible prose
of a few hundred words and no text comes from anywhere else.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

Handler = Callable[["Request"], "Response"]


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    delay: float = 0.0  # seconds to stall before answering (a hanging server)


@dataclass
class Request:
    path: str  # path with query string, as requested
    headers: dict[str, str]
    count: int  # how many times this path was requested so far, this one included


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a crawler opens connections in bursts

    def handle_error(self, request, client_address):  # clients hanging up mid-stall are expected
        pass


class FixtureServer:
    """One fixture site: a real HTTP server on ``host`` and an ephemeral port."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.routes: dict[str, Response | Handler] = {}
        self.counts: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server._serve(self, head=False)

            def do_HEAD(self):
                server._serve(self, head=True)

        self.httpd = _Quiet((host, 0), _Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)

    def start(self) -> "FixtureServer":
        self.thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str | Response | Handler = b"", **kwargs) -> str:
        """Serve ``body`` at ``path`` (exact path, query string included when given); return the URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = body if isinstance(body, Response) or callable(body) else Response(body, **kwargs)
        return self.url(path)

    def hits(self, path: str) -> int:
        """Requests for ``path`` (with or without query string) so far."""
        with self._lock:
            return sum(n for p, n in self.counts.items() if p == path or p.split("?", 1)[0] == path)

    def hits_under(self, prefix: str) -> int:
        with self._lock:
            return sum(n for p, n in self.counts.items() if p.startswith(prefix))

    def _serve(self, handler: BaseHTTPRequestHandler, head: bool) -> None:
        path = handler.path
        if path.startswith("http"):  # absolute-form request target
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            self.counts[path] += 1
            count = self.counts[path]
            self.user_agents.append(handler.headers.get("User-Agent", ""))
        route = self.routes.get(path)
        if route is None and "?" in path:
            route = self.routes.get(path.split("?", 1)[0])
        if route is None:
            response = Response(b"<html><body><h1>Not found</h1></body></html>", status=404)
        elif callable(route):
            response = route(Request(path, dict(handler.headers), count))
        else:
            response = route
        if response.delay:
            self._stop.wait(response.delay)
        try:
            handler.send_response(response.status)
            if response.content_type:
                handler.send_header("Content-Type", response.content_type)
            headers = response.headers.items() if isinstance(response.headers, dict) else response.headers
            for name, value in headers:  # a list of pairs may repeat a header
                handler.send_header(name, value)
            if "Content-Length" not in dict(headers):
                handler.send_header("Content-Length", str(len(response.body)))
            handler.end_headers()
            if not head:
                handler.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class ServerPool:
    """The fixture servers of a test session, closed together at the end."""

    def __init__(self):
        self.servers: list[FixtureServer] = []

    def new(self, host: str = "127.0.0.1") -> FixtureServer:
        server = FixtureServer(host).start()
        self.servers.append(server)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.close()


# -- prose ----------------------------------------------------------------------------------------

_COMPANIES = ["Northwind Robotics", "Cobalt Cloud", "Harborlight Systems", "Quillfeather Labs", "Tessellate AI",
              "Bramblewood Networks", "Orrery Semiconductor", "Lanternfish Security", "Pinegate Software",
              "Saltmarsh Energy", "Kestrel Mobility", "Driftglass Devices", "Ironbark Analytics",
              "Juniper Vale Health", "Marrowstone Games", "Copperline Payments"]
_PRODUCTS = ["edge inference chip", "battery management platform", "open-source database engine",
             "satellite broadband terminal", "warehouse robot fleet", "code review assistant",
             "privacy-preserving analytics suite", "quantum annealing service", "smart thermostat line",
             "delivery drone program", "developer observability tool", "password-free login system",
             "electric cargo bike", "speech translation earbud", "factory digital twin", "spreadsheet copilot"]
_CITIES = ["Seattle", "Bellevue", "Redmond", "Portland", "Vancouver", "Spokane", "Tacoma", "Boise",
           "Everett", "Olympia", "Kirkland", "Bothell"]
_PEOPLE = ["Marisol Okafor", "Devin Achterberg", "Priya Lindqvist", "Tomasz Ferreira", "Aiyana Brooks",
           "Kenji Castellanos", "Ruth Mbeki", "Oskar Delacroix", "Lena Haraldsen", "Samir Oyelaran",
           "Beatrix Nakamura", "Caleb Whitford"]
_ROLES = ["chief executive", "head of engineering", "co-founder", "chief technology officer",
          "vice president of product", "lead researcher", "general manager", "principal analyst"]
_FIGURES = ["$14 million", "$38 million", "$120 million", "$6.5 million", "$72 million", "$210 million",
            "$9 million", "$55 million"]
_OPENERS = [
    "{company}, the {city} startup behind a new {product}, said this week that it has raised {money} in fresh "
    "funding as customers push it to ship faster than planned.",
    "{company} is betting that its {product} can win over cautious enterprise buyers, and the {city} company "
    "now has {money} from investors to prove it.",
    "After two years of quiet testing, {company} has taken the wraps off its {product}, a launch the {city} "
    "team says was shaped by hundreds of conversations with early customers.",
    "A {city} company that few outside the industry had heard of, {company}, landed {money} on Tuesday to "
    "expand the {product} it has been piloting with regional partners.",
]
_MIDDLES = [
    "{person}, the company's {role}, said the team rebuilt the core of the system twice before settling on a "
    "design that could run on modest hardware without a constant connection to the cloud.",
    "The round was led by a mix of returning backers and new investors, and {person}, who serves as {role}, "
    "said most of the money will go toward hiring engineers and support staff over the next eighteen months.",
    "Early customers include a regional hospital network, a county transit agency and two manufacturers that "
    "asked not to be named, according to {person}, the {role}.",
    "Analysts who follow the sector cautioned that larger rivals are moving into the same space, and that price "
    "pressure could squeeze young companies before their products mature.",
    "{person}, {role} at the company, described the past year as a scramble to keep up with demand while "
    "resisting the temptation to add features nobody had asked for.",
    "The company said its headcount has grown to roughly {staff} people, most of them based in {city}, with a "
    "small team working remotely from other parts of the country.",
    "Regulators have not yet weighed in on the approach, but the company said it had briefed state officials "
    "and published a summary of its testing methods on its website.",
    "Competitors have tried similar ideas before, and {person} acknowledged that several of them ran out of "
    "money before finding a market that would pay for the technology.",
]
_CLOSERS = [
    "The company expects the {product} to reach general availability later this year, with a lower-priced "
    "tier planned for small businesses shortly after that.",
    "{company} declined to share revenue figures but said bookings had more than doubled since last spring, "
    "a pace {person} called encouraging but fragile.",
    "For now, the team in {city} is focused on reliability, {person} said, because a single bad outage could "
    "undo years of goodwill with the customers who took a chance on it early.",
    "The next milestone, according to the company, is an independent security audit that it plans to publish "
    "in full once the reviewers have finished their work.",
]


@dataclass
class Story:
    slug: str
    title: str
    paragraphs: list[str]
    author: str
    published: str | None  # ISO 8601 with zone, or None

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def story(slug: str, published: str | None = "2024-03-05T09:30:00-08:00") -> Story:
    """Distinct, plausible tech-news prose for ``slug`` (deterministic; 150-300 words)."""
    rng = random.Random(slug)
    facts = {"company": rng.choice(_COMPANIES), "product": rng.choice(_PRODUCTS), "city": rng.choice(_CITIES),
             "person": rng.choice(_PEOPLE), "role": rng.choice(_ROLES), "money": rng.choice(_FIGURES),
             "staff": rng.randrange(18, 240)}
    paragraphs = [rng.choice(_OPENERS).format(**facts)]
    paragraphs += [m.format(**facts) for m in rng.sample(_MIDDLES, 3)]
    paragraphs.append(rng.choice(_CLOSERS).format(**facts))
    # a sentence only this story has, so two stories never share a body
    paragraphs.insert(2, f"Internally the project was known as {slug.replace('-', ' ').title()}, a name "
                         f"{facts['person'].split()[0]} said stuck after an early whiteboard session in "
                         f"{facts['city']} and was never officially changed.")
    title = f"{facts['company']} {rng.choice(['raises', 'lands', 'unveils', 'expands'])} " \
            f"{facts['product']} push ({slug.replace('-', ' ')})"
    return Story(slug, title, paragraphs, facts["person"], published)


def article_html(s: Story, *, canonical: str | None = None, og_url: str | None = None,
                 charset: str | None = "utf-8", jsonld: bool = True, extra_head: str = "",
                 links: list[str] = ()) -> str:
    """An article page in a common news-CMS shape: nav, JSON-LD + OpenGraph, article body, footer."""
    e = html.escape
    head = [f"<title>{e(s.title)} | Fixture Tech News</title>",
            f'<meta property="og:title" content="{e(s.title)}">',
            '<meta property="og:type" content="article">',
            f'<meta name="author" content="{e(s.author)}">',
            f'<meta name="description" content="{e(s.paragraphs[0][:150])}">']
    if charset:
        head.insert(0, f'<meta charset="{charset}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{e(canonical)}">')
    if og_url:
        head.append(f'<meta property="og:url" content="{e(og_url)}">')
    if s.published:
        head.append(f'<meta property="article:published_time" content="{s.published}">')
    if jsonld:
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
                "author": [{"@type": "Person", "name": s.author}]}
        if s.published:
            data["datePublished"] = s.published
        head.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
    nav = "".join(f'<li><a href="{e(h)}">Section {i}</a></li>' for i, h in enumerate(links))
    body = "\n".join(f"<p>{e(p)}</p>" for p in s.paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head>{"".join(head)}{extra_head}</head><body>'
            f'<header><a href="/">Fixture Tech News</a><nav><ul>{nav}</ul></nav></header>'
            f'<main><article><h1>{e(s.title)}</h1><p class="byline">By {e(s.author)}</p>'
            f'<div class="entry-content">{body}</div></article></main>'
            f"<footer><p>Copyright Fixture Tech News. All rights reserved.</p></footer></body></html>")


def publish(server: FixtureServer, path: str, s: Story, **kwargs) -> str:
    """Serve ``s`` as an article page at ``path``; return its URL."""
    return server.add(path, article_html(s, **kwargs))


def listing_html(title: str, links: list[str], *, feeds: list[tuple[str, str]] = ()) -> str:
    """A homepage or section front: many links, little text, optionally announcing feeds."""
    e = html.escape
    alternates = "".join(f'<link rel="alternate" type="{t}" title="Feed" href="{e(h)}">' for h, t in feeds)
    items = "".join(f'<li><a href="{e(h)}">Story number {i}: a headline about technology</a></li>'
                    for i, h in enumerate(links))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f'<meta property="og:type" content="website">{alternates}</head>'
            f'<body><header><h1>{e(title)}</h1></header><main><ul>{items}</ul></main></body></html>')


def rss(items: list[tuple[str, str | None]], title: str = "Fixture feed") -> str:
    """RSS 2.0 with ``(link, pubDate-RFC822-or-None)`` items; links may be relative."""
    e = html.escape
    out = [f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{e(title)}</title>'
           "<link>/</link><description>Fixture</description>"]
    for i, (link, date) in enumerate(items):
        out.append(f"<item><title>Item {i}</title><link>{e(link)}</link>"
                   + (f"<pubDate>{date}</pubDate>" if date else "") + "</item>")
    out.append("</channel></rss>")
    return "".join(out)


def atom(base: str, entries: list[tuple[str, str]]) -> str:
    """Atom with ``(href, updated-ISO)`` entries."""
    e = html.escape
    out = ['<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
           f"<title>Fixture Atom</title><id>{e(base)}/</id><updated>2024-03-05T10:00:00Z</updated>"]
    for i, (href, updated) in enumerate(entries):
        out.append(f'<entry><title>Entry {i}</title><id>{e(href)}#id</id><link rel="alternate" href="{e(href)}"/>'
                   f"<updated>{updated}</updated><published>{updated}</published></entry>")
    out.append("</feed>")
    return "".join(out)


def urlset(locs: list[str], lastmod: str = "2024-03-05") -> str:
    e = html.escape
    urls = "".join(f"<url><loc>{e(u)}</loc><lastmod>{lastmod}</lastmod></url>" for u in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def sitemap_index(locs: list[str]) -> str:
    e = html.escape
    maps = "".join(f"<sitemap><loc>{e(u)}</loc><lastmod>2024-03-05</lastmod></sitemap>" for u in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>')


def news_sitemap(entries: list[tuple[str, str]]) -> str:
    """A Google News sitemap with ``(loc, publication_date)`` entries."""
    e = html.escape
    urls = "".join(
        f"<url><loc>{e(u)}</loc><news:news><news:publication><news:name>Fixture</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>{d}"
        f"</news:publication_date><news:title>Story {i}</news:title></news:news></url>"
        for i, (u, d) in enumerate(entries))
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')


def robots(disallow: list[str] = (), sitemaps: list[str] = ()) -> str:
    lines = ["User-agent: *"] + [f"Disallow: {p}" for p in disallow] + [""]
    lines += [f"Sitemap: {u}" for u in sitemaps]
    return "\n".join(lines) + "\n"


def billion_laughs(kind: str) -> str:
    """An entity-expansion bomb shaped as an RSS feed or a sitemap urlset."""
    entities = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
                                          for i in range(1, 10)]
    doctype = f'<?xml version="1.0"?><!DOCTYPE {kind} [{"".join(entities)}]>'
    if kind == "rss":
        return doctype + ('<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
                          "<link>/never/&lol9;</link></item></channel></rss>")
    return doctype + ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc>'
                      "</url></urlset>")


def gzip_bomb(expanded: int) -> bytes:
    """Gzip data that is small on the wire but decompresses to ``expanded`` bytes."""
    return gzip.compress(b"<html><body>" + b" " * expanded, compresslevel=9)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# -- running the crawler ----------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
CRAWL_TIMEOUT = 90
FAST = {"delay": 0, "autothrottle": False, "timeout": 5, "retries": 1, "concurrency": 4}


def shared_dir() -> Path | None:
    """``../shared`` beside the clone (or $NEWSARCHIVE_SHARED), when present."""
    env = os.environ.get("NEWSARCHIVE_SHARED")
    for candidate in ([Path(env)] if env else []) + [REPO.parent / "shared", Path("/work/shared")]:
        if candidate.is_dir():
            return candidate
    return None


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is a JSON string for our purposes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def write_config(path: Path, sites: dict[str, dict[str, Any]], defaults: dict[str, Any] | None = None) -> Path:
    """A sites.toml with fast politeness defaults (no delay, no autothrottle, short timeout)."""
    lines = ["[defaults]"] + [f"{k} = {toml_value(v)}" for k, v in {**FAST, **(defaults or {})}.items()]
    for name, table in sites.items():
        lines += ["", f"[sites.{name}]"] + [f"{k} = {toml_value(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def newsarchive(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = CRAWL_TIMEOUT) -> subprocess.CompletedProcess:
    """Run the ``newsarchive`` command as a user would, in a child process."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@dataclass
class Crawl:
    """A finished crawl: the process result and its archive."""

    result: subprocess.CompletedProcess
    db: Path

    def rows(self, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]
        finally:
            conn.close()

    def articles(self, site: str | None = None) -> list[dict[str, Any]]:
        if site is None:
            return self.rows("SELECT * FROM articles ORDER BY id")
        return self.rows("SELECT * FROM articles WHERE site = ? ORDER BY id", [site])

    def failures(self, site: str | None = None) -> list[dict[str, Any]]:
        if site is None:
            return self.rows("SELECT * FROM failed_urls ORDER BY id")
        return self.rows("SELECT * FROM failed_urls WHERE site = ? ORDER BY id", [site])

    def failure_for(self, url: str) -> list[str]:
        """Reasons recorded for ``url`` (matched with or without query string)."""
        return [r["reason"] for r in self.rows("SELECT url, reason FROM failed_urls")
                if r["url"] == url or r["url"].split("?")[0] == url]

    def aliases(self, article_id: int) -> list[str]:
        return [r["url"] for r in self.rows("SELECT url FROM url_aliases WHERE article_id = ?", [article_id])]

    def run_row(self, site: str) -> dict[str, Any]:
        return self.rows("SELECT * FROM crawl_runs WHERE site = ? ORDER BY id DESC LIMIT 1", [site])[0]


def run_crawl(config: Path, db: Path, *sites: str, workers: int = 1, **kwargs) -> Crawl:
    result = newsarchive("crawl", *sites, "--config", str(config), "--db", str(db), "--workers", str(workers),
                         **kwargs)
    return Crawl(result, db)


def assert_clean_exit(crawl: Crawl) -> None:
    assert crawl.result.returncode == 0, crawl.result.stdout + crawl.result.stderr
    assert "Traceback" not in crawl.result.stderr, crawl.result.stderr
