"""Discovery and fetching (Scrapy), the crawl runner and the command line.

Importing this package does not import Scrapy: the daemon uses ``crawler.config``.
"""
