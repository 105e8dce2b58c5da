"""Everything after a page is fetched: item types, extraction, deduplication, the archive."""
