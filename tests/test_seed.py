"""The seed case: a GeekWire story as a naive scraper kept it (``../shared/seed``), rebuilt as a page
in GeekWire's shape (trending bar, captioned photo, story, newsletter pitch, GeekWork job widget)
and crawled. The archive must keep every paragraph of the story and none of the page furniture.

The site's config names no CSS selectors: the furniture must go by extraction alone.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from fixture_sites import assert_clean_exit, robots, rss, run_crawl, shared_dir, write_config

FURNITURE = [
    "Trending:",
    "(Twitter Photo / @POTUS)",
    "Like what you're reading? Subscribe to GeekWire's free newsletters to catch every headline",
    "Job Listings on GeekWork",
    "Find more jobs on GeekWork. Employers, post a job here.",
]
JOBS = [("Senior Software Engineer, Payments", "Copperline Payments"),
        ("Director of Product Marketing", "Harborlight Systems"),
        ("Data Scientist II", "Ironbark Analytics")]
TITLE = "Trump postpones signing cybersecurity executive order at the last minute"
PATH = "/2017/trump-postpones-signing-cybersecurity-executive-order/"


def seed_text() -> str:
    shared = shared_dir()
    seed = shared / "seed" / "geekwire-article-as-scraped.txt" if shared else None
    if seed is None or not seed.is_file():
        pytest.skip("../shared/seed/geekwire-article-as-scraped.txt is not available")
    return seed.read_text(encoding="utf-8")


def story_paragraphs(text: str) -> list[str]:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in lines if line and not any(line.startswith(f.rstrip(".")[:20]) for f in FURNITURE)]


def geekwire_page(text: str) -> str:
    """A page shaped like a GeekWire story (WordPress theme: masthead with a trending bar, entry
    header, captioned figure, entry content, newsletter pitch, GeekWork jobs widget, sidebar)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    trending = lines[0].split(":", 1)[1].strip()
    e = html.escape
    story = "\n".join(f"<p>{e(p)}</p>" for p in story_paragraphs(text))
    jobs = "".join(f'<li class="job"><a href="https://www.geekwork.com/job/{i}/">{e(t)}</a>'
                   f'<span class="company">{e(c)}</span><span class="location">Seattle, WA</span></li>'
                   for i, (t, c) in enumerate(JOBS))
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "GeekWire", "url": "/"},
        {"@type": "NewsArticle", "headline": TITLE, "datePublished": "2017-01-31T16:45:00-08:00",
         "author": {"@type": "Person", "name": "Dana Whitlock"}, "publisher": {"@type": "Organization",
                                                                               "name": "GeekWire"}}]}
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8">
<title>{e(TITLE)} &#8211; GeekWire</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="GeekWire">
<meta property="og:title" content="{e(TITLE)}">
<meta property="article:section" content="Government">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head>
<body class="post-template-default single single-post postid-1198211 single-format-standard">
<div id="page" class="site">
<header id="masthead" class="site-header">
  <div class="site-branding"><a href="/" rel="home">GeekWire</a></div>
  <nav id="site-navigation" class="main-navigation"><ul>
    <li><a href="/startups/">Startups</a></li><li><a href="/tech/">Tech</a></li>
    <li><a href="/government/">Government</a></li><li><a href="/events/">Events</a></li></ul></nav>
  <div class="trending"><strong>Trending:</strong> <a href="/2017/amazon-empire-pbs/">{e(trending)}</a></div>
</header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-1198211" class="post-1198211 post type-post status-publish format-standard has-post-thumbnail">
  <header class="entry-header">
    <h1 class="entry-title">{e(TITLE)}</h1>
    <div class="entry-meta"><span class="byline">by <a class="url fn n" href="/author/dwhitlock/">Dana Whitlock</a></span>
    on <time class="entry-date published" datetime="2017-01-31T16:45:00-08:00">January 31, 2017 at 4:45 pm</time>
    <span class="share"><a href="https://twitter.com/intent/tweet">Share</a> <a href="mailto:">Email</a></span></div>
  </header>
  <div class="entry-content">
    <figure class="wp-caption aligncenter"><img src="/wp-content/uploads/2017/01/trump-cyber.jpg" width="1260"
      height="840" alt="President Trump at a cybersecurity meeting">
      <figcaption class="wp-caption-text">(Twitter Photo / @POTUS)</figcaption></figure>
{story}
    <p class="gw-cta"><strong>Like what you're reading?</strong> <a href="/newsletters/">Subscribe to GeekWire's
      free newsletters to catch every headline</a></p>
  </div>
  <footer class="entry-footer"><span class="tags-links">
    <a href="/tag/cybersecurity/" rel="tag">cybersecurity</a> <a href="/tag/donald-trump/" rel="tag">Donald Trump</a>
  </span></footer>
  <div class="gw-box"><h3>Job Listings on GeekWork</h3><ul>{jobs}</ul>
    <p><a href="https://www.geekwork.com/">Find more jobs on GeekWork.</a>
    <a href="https://www.geekwork.com/post-a-job/">Employers, post a job here.</a></p></div>
</article>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget"><h2>Most popular</h2><ul>
  <li><a href="/2017/a/">Amazon opens another cashier-less store</a></li>
  <li><a href="/2017/b/">Microsoft earnings beat expectations</a></li></ul></section></aside>
</div>
<footer id="colophon" class="site-footer"><p>&copy; 2011-2017 GeekWire, LLC</p></footer>
</div></body></html>"""


@pytest.fixture(scope="module")
def seed_crawl(servers, tmp_path_factory):
    text = seed_text()
    server = servers.new()
    server.add(PATH, geekwire_page(text))
    server.add("/feed/", rss([(PATH, "Wed, 01 Feb 2017 00:45:00 +0000")]), content_type="application/rss+xml")
    server.add("/robots.txt", robots(), content_type="text/plain")
    server.add("/", "<html><body><p>GeekWire</p></body></html>")
    tmp = tmp_path_factory.mktemp("seed")
    config = write_config(tmp / "sites.toml", {"geekwire": {"url": server.url("/"),
                                                            "feeds": [server.url("/feed/")]}})
    crawl = run_crawl(config, tmp / "archive.db")
    return text, server, crawl


def test_seed_story_is_archived_with_every_paragraph_and_no_furniture(seed_crawl):
    text, server, crawl = seed_crawl
    assert_clean_exit(crawl)
    [article] = crawl.articles("geekwire")
    body = article["body"]
    paragraphs = story_paragraphs(text)
    assert len(paragraphs) == 12
    for paragraph in paragraphs:
        assert paragraph in body.split("\n\n")
    for furniture in FURNITURE + [title for title, _ in JOBS] + ["Subscribe to GeekWire", "GeekWork", "@POTUS"]:
        assert furniture not in body
    assert body.split("\n\n") == paragraphs


def test_seed_story_metadata(seed_crawl):
    _, server, crawl = seed_crawl
    [article] = crawl.articles("geekwire")
    assert article["url"] == server.url(PATH)
    assert article["title"] == TITLE
    assert json.loads(article["authors"]) == ["Dana Whitlock"]
    assert article["published"] == "2017-02-01T00:45:00Z"
    assert article["language"] == "en"
    assert article["word_count"] == len(re.findall(r"\w+", " ".join(story_paragraphs(seed_text()))))

