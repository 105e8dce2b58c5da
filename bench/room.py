"""How fast the reading room answers on a large archive.

Builds an archive of N articles through ``Archive.save`` (the crawler's own write path) from
real news text (paragraphs of ../shared/corpus/articles, remixed so every body is new), with a
crawl history and a few revisions, then starts the real ``newsarchive serve`` on it and requests
each page type one at a time, printing p50/p95 per page type.

    nice .venv/bin/python bench/room.py                 # 1,000,000 articles (slow to build)
    .venv/bin/python bench/room.py --n 20000 --repeat 10
    .venv/bin/python bench/room.py --n 1000000 --reuse  # measure an archive built before

The archive is kept in bench/out/ (gitignored) so a later run can ``--reuse`` it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from pipelines.archive import Archive, FetchResult  # noqa: E402
from room_fixture import start_server  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "articles" / "news_articles.json"
SITES = ("geekwire", "techcrunch", "theverge", "arstechnica", "wired", "zdnet", "engadget", "cnet",
         "venturebeat", "technologyreview", "theregister", "heise")
LANGUAGES = ("en",) * 9 + ("de",)
AUTHORS = ("Ada Writer", "Bo Editor", "Chen Li", "Dana Ruiz", "Emeka Obi", "Farah Haddad", "Gus Olsen",
           "Hana Sato", "Ivan Petrov", "Jo Smith")
RARE_WORD = "quokkas"  # in one article of RARE_EVERY
RARE_EVERY = 20_000
COMMON_WORD = "said"
PHRASE = '"the company"'
BATCH = 500
START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def paragraph_pool() -> list[str]:
    if not CORPUS.exists():
        raise SystemExit(f"bench/room.py needs {CORPUS} (the shared corpus beside the clone)")
    texts = [a.get("text") or "" for a in json.loads(CORPUS.read_text(encoding="utf-8"))]
    pool = [p.strip() for t in texts for p in t.split("\n") if len(p.split()) >= 12]
    if len(pool) < 100:
        raise SystemExit(f"{CORPUS}: too little text to build from")
    return pool


def make_record(i: int, n: int, pool: list[str], rng: random.Random, span_days: int) -> dict:
    site = SITES[i % len(SITES)]
    paragraphs = rng.sample(pool, rng.randint(4, 10))
    if i % RARE_EVERY == 7:
        paragraphs.insert(1, f"Researchers watched {RARE_WORD} hop across the test field.")
    body = "\n\n".join(paragraphs)
    title = " ".join(rng.choice(paragraphs).split()[:rng.randint(6, 12)]).rstrip(".,;:")
    when = START + timedelta(seconds=int(i / n * span_days * 86400) + rng.randint(0, 3600))
    url = f"https://www.{site}.example/{when:%Y/%m/%d}/story-{i}"
    return {
        "url": url, "fetched_url": url, "requested_url": url, "site": site, "title": title,
        "authors": rng.sample(AUTHORS, rng.randint(1, 2)),
        "published": when.strftime("%Y-%m-%dT%H:%M:%SZ") if i % 50 else None,
        "published_source": "meta", "modified": None, "language": LANGUAGES[i % len(LANGUAGES)],
        "description": None, "tags": [], "image": None, "body": body, "word_count": len(body.split()),
        "content_hash": hashlib.sha256(f"{i}:{body}".encode()).hexdigest()[:32],
    }


def build(db: Path, n: int, runs_per_site_day: int = 4) -> None:
    rng = random.Random(14)
    pool = paragraph_pool()
    span_days = max(30, min(730, n // 1000))
    archive = Archive.open(db)
    started = time.monotonic()
    try:
        run = archive.start_run("bench", trigger="schedule")
        for first in range(0, n, BATCH):
            batch = [make_record(i, n, pool, rng, span_days) for i in range(first, min(n, first + BATCH))]
            archive.save([FetchResult(url=r["url"], site=r["site"], outcome="article", record=r, run_id=run)
                          for r in batch])
            if first and first % 50_000 == 0:
                rate = first / (time.monotonic() - started)
                print(f"  {first:,} articles, {rate:,.0f}/s", file=sys.stderr, flush=True)
        archive.finish_run(run, "ok", {"new_articles": n})
        # a crawl history: every site a few runs a day over the archive's span, some failing
        with archive.db.conn:
            rows = []
            for day in range(span_days):
                for site in SITES:
                    for k in range(runs_per_site_day):
                        at = START + timedelta(days=day, hours=6 * k)
                        status = "failed" if rng.random() < 0.03 else "ok"
                        rows.append({"site": site, "started": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     "finished": (at + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     "status": status, "trigger": "schedule", "pid": 1,
                                     "requests": 40, "pages": 30, "new_articles": rng.randint(0, 20),
                                     "errors": int(status == "failed"), "message": None})
            archive.db["crawl_runs"].insert_all(rows, batch_size=1000)
        # a few revised articles
        revised = []
        for article_id in rng.sample(range(1, n + 1), min(200, n)):
            row = archive.db["articles"].get(article_id)
            record = {k: row[k] for k in ("url", "site", "title", "published", "published_source", "modified",
                                          "language", "description", "image", "word_count")}
            record.update(fetched_url=row["url"], requested_url=row["url"], authors=json.loads(row["authors"]),
                          tags=[], body=row["body"] + "\n\nUpdate: the company responded.",
                          content_hash=row["content_hash"] + "r")
            revised.append(FetchResult(url=row["url"], site=row["site"], outcome="article", record=record,
                                       run_id=run))
        archive.save(revised)
    finally:
        archive.close()
    print(f"built {n:,} articles in {time.monotonic() - started:,.0f} s", file=sys.stderr)


def pages(db_name: str, article_ids: list[int]) -> dict[str, list[str]]:
    a = f"/{db_name}"
    return {
        "front page /": ["/"],
        "database page": [a],
        "articles (facets)": [f"{a}/articles"],
        "articles ?_view=table": [f"{a}/articles?_view=table"],
        "site page (articles?site=)": [f"{a}/articles?site={s}" for s in SITES],
        "articles ?_q= common word": [f"{a}/articles?_q={COMMON_WORD}"],
        "articles ?_q= rare word": [f"{a}/articles?_q={RARE_WORD}"],
        "articles ?_search= common word": [f"{a}/articles?_search={COMMON_WORD}"],
        "search common word": [f"{a}/search?q={COMMON_WORD}"],
        "search rare word": [f"{a}/search?q={RARE_WORD}"],
        "search phrase": [f"{a}/search?q={urllib.request.quote(PHRASE)}"],
        "article page": [f"{a}/articles/{i}" for i in article_ids],
        "latest": [f"{a}/latest"],
        "latest?site=": [f"{a}/latest?site={s}" for s in SITES],
        "articles_per_day": [f"{a}/articles_per_day"],
        "crawl_health": [f"{a}/crawl_health"],
        "duplicates": [f"{a}/duplicates"],
        "failed_urls_by_reason": [f"{a}/failed_urls_by_reason"],
        "revisions": [f"{a}/revisions"],
        "crawl_requests_status": [f"{a}/crawl_requests_status"],
        "atom latest": [f"{a}/latest.atom"],
        "atom search": [f"{a}/search.atom?q={COMMON_WORD}"],
    }


def fetch(base: str, path: str) -> tuple[int | str, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except (TimeoutError, urllib.error.URLError):
        status = "timeout"
    return status, (time.perf_counter() - started) * 1000


def together(base: str, table: dict[str, list[str]], readers: int, repeat: int) -> None:
    """The same pages with ``readers`` clients at once, each making ``repeat`` requests."""
    from concurrent.futures import ThreadPoolExecutor

    print(f"\n{readers} readers at once, {repeat} requests each")
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  status")
    for name in ("front page /", "search common word", "search phrase", "articles ?_q= common word",
                 "articles (facets)"):
        paths = table[name]
        with ThreadPoolExecutor(readers) as pool:
            results = list(pool.map(lambda k: fetch(base, paths[k % len(paths)]), range(readers * repeat)))
        times = sorted(ms for _, ms in results)
        statuses = sorted({str(status) for status, _ in results})
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{name:32} {statistics.median(times):8.0f} {p95:8.0f} {times[-1]:8.0f}  "
              f"{','.join(map(str, statuses))}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles to build (default 1,000,000)")
    parser.add_argument("--db", type=Path, default=None, help="archive file (default bench/out/room-N.db)")
    parser.add_argument("--reuse", action="store_true", help="measure the archive already at --db")
    parser.add_argument("--build-only", action="store_true", help="build the archive, measure nothing")
    parser.add_argument("--readers", type=int, default=4,
                        help="then this many readers at once on the searches and the front page (default 4)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page type (default 20)")
    args = parser.parse_args()
    db = args.db or REPO / "bench" / "out" / f"room-{args.n}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        for stale in db.parent.glob(db.name + "*"):
            stale.unlink()
        build(db, args.n)
    elif not db.exists():
        raise SystemExit(f"{db}: nothing to reuse (run without --reuse first)")
    if args.build_only:
        return
    conn = Archive.open(db, create=False)
    n = conn.db.execute("select max(id) from articles").fetchone()[0]
    conn.close()
    rng = random.Random(7)
    ids = [rng.randint(1, n) for _ in range(args.repeat)]
    server = start_server(db, db.parent / "room-serve.log", deadline_s=600)
    try:
        print(f"archive: {n:,} articles, {db.stat().st_size / 1e9:.2f} GB; {args.repeat} requests per page, "
              "one at a time, after one warm-up request each")
        print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  status")
        for name, paths in pages(db.stem, ids).items():
            fetch(server.base, paths[0])
            times, statuses = [], set()
            for k in range(args.repeat):
                status, ms = fetch(server.base, paths[k % len(paths)])
                times.append(ms)
                statuses.add(status)
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            print(f"{name:32} {statistics.median(times):8.0f} {p95:8.0f} {times[-1]:8.0f}  "
                  f"{','.join(sorted(map(str, statuses)))}", flush=True)
        if args.readers > 1:
            together(server.base, pages(db.stem, ids), args.readers, args.repeat)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
