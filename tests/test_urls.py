"""URL identity: which links name the same article (and which must not be merged)."""

from __future__ import annotations

import pytest

from pipelines.urls import canonical_url, same_site, url_key

ARTICLE = "https://www.geekwire.com/2024/startup-raises-money/"


@pytest.mark.parametrize("variant", [
    "https://www.geekwire.com/2024/startup-raises-money/?utm_source=rss&utm_medium=rss&utm_campaign=x",
    "https://www.geekwire.com/2024/startup-raises-money/?fbclid=IwAR0abc&gclid=xyz&mc_cid=1",
    "https://www.geekwire.com/2024/startup-raises-money/#comments",
    "http://www.geekwire.com/2024/startup-raises-money/",
    "https://WWW.GeekWire.COM/2024/startup-raises-money/",
    "https://www.geekwire.com:443/2024/startup-raises-money/",
    "http://www.geekwire.com:80/2024/startup-raises-money/",
    "https://geekwire.com/2024/startup-raises-money/",
    "https://www.geekwire.com/2024/startup-raises-money",
    "https://www.geekwire.com/2024/startup-raises-money/amp/",
    "https://www.geekwire.com/2024/startup-raises-money/?amp=1",
    "https://www.geekwire.com/2024/startup-raises-money/?amp",
    "https://amp.geekwire.com/2024/startup-raises-money/",
    "https://www.geekwire.com/2024/startup-raises-money/print/",
    "https://www.geekwire.com/2024/startup-raises-money/?print=1",
    "https://www.geekwire.com/2024/startup-raises-money/?output=print",
])
def test_variants_of_one_article_share_a_key(variant):
    assert url_key(variant) == url_key(ARTICLE)


@pytest.mark.parametrize("a, b", [
    ("https://example.com/read?id=101", "https://example.com/read?id=102"),
    ("https://example.com/?p=4711", "https://example.com/?p=4712"),
    ("https://example.com/news/amplify-raises-money/", "https://example.com/news/"),
    ("https://example.com/news/amp-robotics-layoffs/", "https://example.com/news/robotics-layoffs/"),
    ("https://example.com/Story", "https://example.com/story"),
    ("https://example.com/a", "https://example.org/a"),
    ("https://example.com:8080/a", "https://example.com/a"),
    ("https://news.example.com/a", "https://example.com/a"),
])
def test_different_articles_keep_different_keys(a, b):
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize("url, expected", [
    ("HTTPS://WWW.Example.COM:443/a/b/?utm_source=x&id=3#frag", "https://www.example.com/a/b/?id=3"),
    ("http://example.com:80/a?utm_campaign=c&fbclid=f", "http://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/caf%C3%A9/", "https://example.com/caf%C3%A9/"),
])
def test_canonical_url_is_what_a_user_would_click(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_is_stable():
    url = "https://Example.com:443/x/?utm_source=a&q=1#top"
    assert canonical_url(canonical_url(url)) == canonical_url(url)
    assert url_key(canonical_url(url)) == url_key(url)


@pytest.mark.parametrize("url, inside", [
    ("https://www.geekwire.com/2024/x/", True),
    ("https://geekwire.com/x", True),
    ("https://cdn.geekwire.com/x", True),
    ("https://notgeekwire.com/x", False),
    ("https://geekwire.com.evil.example/x", False),
    ("https://example.com/?u=geekwire.com", False),
    ("http://127.0.0.1/x", False),
])
def test_same_site_is_the_domain_or_its_subdomains(url, inside):
    assert same_site(url, ("geekwire.com",)) is inside
