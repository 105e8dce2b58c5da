"""Each discovery method finds the articles of a fixture site: RSS (relative links too), Atom,
sitemap index -> urlsets, Google News sitemaps, listing pages one level deep, feeds announced on
the homepage and sitemaps named in robots.txt. Allow/deny patterns hold, offsite links are ignored.

One crawl of seven fixture sites (each its own server) feeds every test of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from fixture_sites import (FixtureServer, Story, assert_clean_exit, atom, listing_html, news_sitemap, publish,
                           robots, rss, run_crawl, sitemap_index, story, urlset, write_config)

PUBDATE = "Tue, 05 Mar 2024 17:30:00 GMT"
USER_AGENT = "FixtureBot/2.0 (+http://127.0.0.1/about-the-bot)"


@dataclass
class Site:
    server: FixtureServer
    stories: dict[str, Story] = field(default_factory=dict)  # URL -> story expected in the archive

    def publish(self, path: str, s: Story, **kwargs) -> str:
        url = publish(self.server, path, s, **kwargs)
        self.stories[url] = s
        return url


@dataclass
class World:
    crawl: object
    sites: dict[str, Site]
    elsewhere: FixtureServer


def _undated(slug: str) -> Story:
    return story(slug, published=None)


@pytest.fixture(scope="module")
def world(servers, tmp_path_factory) -> World:
    elsewhere = servers.new("127.0.0.2")  # another site: never to be fetched
    elsewhere.add("/robots.txt", robots(), content_type="text/plain")
    elsewhere.add("/tech/offsite-story/", "unused")
    elsewhere.add("/feed/", rss([("/tech/offsite-story/", PUBDATE)]), content_type="application/rss+xml")
    sites: dict[str, Site] = {}
    config: dict[str, dict] = {}

    def new_site(name: str) -> Site:
        site = sites[name] = Site(servers.new())
        site.server.add("/robots.txt", robots(), content_type="text/plain")
        site.server.add("/", listing_html(f"{name} home", []))
        return site

    # RSS 2.0, relative and absolute links, allow/deny, an offsite link
    s = new_site("rss")
    s.publish("/tech/rss-relative/", _undated("rss-relative"), jsonld=False)
    s.publish("/tech/rss-dotdot/", story("rss-dotdot"))
    s.publish("/tech/rss-absolute/", story("rss-absolute"))
    s.server.add("/tech/sponsored-deal/", "unused")
    s.server.add("/about/careers/", "unused")
    s.server.add("/feeds/main.rss", rss([
        ("/tech/rss-relative/", PUBDATE), ("../tech/rss-dotdot/", PUBDATE), (s.server.url("/tech/rss-absolute/"), PUBDATE),
        ("/tech/sponsored-deal/", PUBDATE), ("/about/careers/", PUBDATE),
        (elsewhere.url("/tech/offsite-story/"), PUBDATE)]), content_type="application/rss+xml")
    config["rss"] = {"url": s.server.url("/"), "feeds": [s.server.url("/feeds/main.rss")],
                     "allow": ["/tech/"], "deny": ["/sponsored-"], "user_agent": USER_AGENT}

    # Atom
    s = new_site("atom")
    entries = [(s.publish(f"/posts/atom-{n}/", story(f"atom-{n}")), "2024-03-04T08:00:00Z") for n in ("one", "two")]
    s.server.add("/atom.xml", atom(s.server.base, entries), content_type="application/atom+xml")
    config["atom"] = {"url": s.server.url("/"), "feeds": [s.server.url("/atom.xml")]}

    # sitemap index -> two urlsets, lastmod kept
    s = new_site("sitemapindex")
    one = [s.publish(f"/a/index-one-{n}/", _undated(f"index-one-{n}")) for n in range(2)]
    two = [s.publish(f"/a/index-two-{n}/", _undated(f"index-two-{n}")) for n in range(2)]
    s.server.add("/sitemaps/one.xml", urlset(one, lastmod="2024-02-01"), content_type="application/xml")
    s.server.add("/sitemaps/two.xml", urlset(two, lastmod="2024-02-02T10:00:00+01:00"),
                 content_type="application/xml")
    s.server.add("/sitemap_index.xml", sitemap_index([s.server.url("/sitemaps/one.xml"),
                                                      s.server.url("/sitemaps/two.xml")]),
                 content_type="application/xml")
    config["sitemapindex"] = {"url": s.server.url("/"), "sitemaps": [s.server.url("/sitemap_index.xml")]}

    # Google News sitemap: its publication_date is the published date of undated pages
    s = new_site("newsmap")
    news = [(s.publish("/story/news-undated/", _undated("news-undated"), jsonld=False), "2024-03-01T06:15:00-08:00"),
            (s.publish("/story/news-dated/", story("news-dated")), "2024-03-02T00:00:00Z")]
    s.server.add("/news-sitemap.xml", news_sitemap(news), content_type="application/xml")
    config["newsmap"] = {"url": s.server.url("/"), "sitemaps": [s.server.url("/news-sitemap.xml")]}

    # listing page, one level deep
    s = new_site("listing")
    s.server.add("/deeper/level-two/", "unused")
    level_one = [s.publish(f"/articles/listed-{n}/", story(f"listed-{n}"), links=["/deeper/level-two/"])
                 for n in range(3)]
    s.server.add("/section/tech/", listing_html("Tech", [u.replace(s.server.base, "") for u in level_one]
                                                + [elsewhere.url("/tech/offsite-story/")]))
    config["listing"] = {"url": s.server.url("/"), "pages": [s.server.url("/section/tech/")]}

    # only a homepage URL: feeds from <link rel="alternate">
    s = new_site("homefeeds")
    rss_url = s.publish("/2024/home-rss-story/", story("home-rss-story"))
    atom_url = s.publish("/2024/home-atom-story/", story("home-atom-story"))
    s.server.add("/feed/", rss([("/2024/home-rss-story/", PUBDATE)]), content_type="application/rss+xml")
    s.server.add("/feed/atom/", atom(s.server.base, [(atom_url, "2024-03-04T08:00:00Z")]),
                 content_type="application/atom+xml")
    s.server.add("/", listing_html("Home", [], feeds=[
        ("/feed/", "application/rss+xml"), ("/feed/atom/", "application/atom+xml"),
        (elsewhere.url("/feed/"), "application/rss+xml")]))
    assert rss_url
    config["homefeeds"] = {"url": s.server.url("/")}

    # only a homepage URL: sitemaps from robots.txt
    s = new_site("robotsmaps")
    robot_urls = [s.publish(f"/r/robots-found-{n}/", story(f"robots-found-{n}")) for n in range(2)]
    s.server.add("/maps/posts.xml", urlset(robot_urls[:1]), content_type="application/xml")
    s.server.add("/maps/index.xml", sitemap_index([s.server.url("/maps/more.xml")]), content_type="application/xml")
    s.server.add("/maps/more.xml", urlset(robot_urls[1:]), content_type="application/xml")
    s.server.add("/robots.txt", robots(sitemaps=[s.server.url("/maps/posts.xml"), s.server.url("/maps/index.xml")]),
                 content_type="text/plain")
    config["robotsmaps"] = {"url": s.server.url("/")}

    tmp = tmp_path_factory.mktemp("discovery")
    crawl = run_crawl(write_config(tmp / "sites.toml", config), tmp / "archive.db", workers=2)
    return World(crawl, sites, elsewhere)


def _archived(world: World, name: str) -> dict[str, dict]:
    return {a["url"]: a for a in world.crawl.articles(name)}


def _assert_site_archived(world: World, name: str) -> dict[str, dict]:
    """Exactly the site's stories are archived, each with its title and every paragraph."""
    assert_clean_exit(world.crawl)
    site = world.sites[name]
    archived = _archived(world, name)
    assert set(archived) == set(site.stories), world.crawl.failures(name)
    for url, s in site.stories.items():
        assert archived[url]["title"] == s.title
        assert archived[url]["body"].split("\n\n") == s.paragraphs
    return archived


def test_rss_feed_articles_are_archived_including_relative_links(world):
    archived = _assert_site_archived(world, "rss")
    relative = archived[world.sites["rss"].server.url("/tech/rss-relative/")]
    assert relative["published"] == "2024-03-05T17:30:00Z" and relative["published_source"] == "feed"


def test_allow_and_deny_patterns_keep_unwanted_links_unfetched(world):
    server = world.sites["rss"].server
    assert server.hits("/tech/sponsored-deal/") == 0  # matches deny
    assert server.hits("/about/careers/") == 0  # outside allow
    assert server.hits("/tech/rss-absolute/") >= 1


def test_offsite_links_and_feeds_are_ignored(world):
    assert world.elsewhere.hits_under("/") == 0
    assert not [a for a in world.crawl.articles() if "127.0.0.2" in a["url"]]


def test_atom_feed_articles_are_archived(world):
    _assert_site_archived(world, "atom")


def test_sitemap_index_leads_to_urlsets_and_lastmod_is_kept(world):
    archived = _assert_site_archived(world, "sitemapindex")
    modified = {url.rsplit("/", 2)[-2]: a["modified"] for url, a in archived.items()}
    assert modified == {"index-one-0": "2024-02-01", "index-one-1": "2024-02-01",
                        "index-two-0": "2024-02-02T09:00:00Z", "index-two-1": "2024-02-02T09:00:00Z"}


def test_google_news_sitemap_publication_date_is_kept(world):
    archived = _assert_site_archived(world, "newsmap")
    server = world.sites["newsmap"].server
    undated = archived[server.url("/story/news-undated/")]
    assert undated["published"] == "2024-03-01T14:15:00Z" and undated["published_source"] == "sitemap"
    dated = archived[server.url("/story/news-dated/")]  # the page's own date wins
    assert dated["published"] == "2024-03-05T17:30:00Z" and dated["published_source"] == "json-ld"


def test_listing_page_links_are_followed_one_level_deep(world):
    _assert_site_archived(world, "listing")
    server = world.sites["listing"].server
    assert server.hits("/deeper/level-two/") == 0
    assert server.hits("/section/tech/") >= 1
    assert not world.crawl.rows("SELECT id FROM articles WHERE url LIKE '%/section/tech/'")


def test_feeds_announced_on_the_homepage_are_discovered(world):
    _assert_site_archived(world, "homefeeds")
    server = world.sites["homefeeds"].server
    assert server.hits("/feed/") >= 1 and server.hits("/feed/atom/") >= 1


def test_sitemaps_named_in_robots_txt_are_discovered(world):
    _assert_site_archived(world, "robotsmaps")
    server = world.sites["robotsmaps"].server
    assert server.hits("/maps/posts.xml") >= 1 and server.hits("/maps/more.xml") >= 1


def test_configured_user_agent_identifies_every_request(world):
    agents = set(world.sites["rss"].server.user_agents)
    assert agents == {USER_AGENT}
    default_agents = set(world.sites["atom"].server.user_agents)
    assert len(default_agents) == 1 and default_agents.pop().startswith("newsarchive/")


def test_every_site_gets_one_summary_line_and_an_ok_run(world):
    lines = world.crawl.result.stdout.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(world.sites)
    for name, site in world.sites.items():
        run = world.crawl.run_row(name)
        assert run["status"] == "ok" and run["new_articles"] == len(site.stories), run
