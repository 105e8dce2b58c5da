"""One spider per discovery method; a site's crawl runs them in turn (``DISCOVERY``)."""

from crawler.spiders.feeds import FeedSpider
from crawler.spiders.listings import ListingSpider
from crawler.spiders.sitemaps import SitemapSpider

DISCOVERY = (FeedSpider, SitemapSpider, ListingSpider)

__all__ = ["DISCOVERY", "FeedSpider", "ListingSpider", "SitemapSpider"]
