"""Extraction quality on a sample of the shared corpus of real pages (skipped without ../shared).

The full measurement is ``bench/quality.py``; this keeps a floor under it at test speed: a fixed
sample of news pages must score well above trafilatura's defaults, and no home or section front
may become an article.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from fixture_sites import shared_dir
from pipelines.extract import extract_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import quality  # noqa: E402

SAMPLE_EVERY = 8  # one page in eight: ~50 pages, a couple of seconds


@pytest.fixture(scope="module")
def corpus() -> Path:
    shared = shared_dir()
    if shared is None or not (shared / "corpus" / "articles" / "news_articles.json").is_file():
        pytest.skip("../shared/corpus is not available")
    return shared / "corpus"


@pytest.fixture(scope="module")
def sample(corpus):
    pages = [p for p in json.loads((corpus / "articles" / "news_articles.json").read_text())
             if (corpus / "articles" / "html" / f"{p['html_file']}.html.gz").exists()][::SAMPLE_EVERY]
    rows = []
    for page in pages:
        body = gzip.decompress((corpus / "articles" / "html" / f"{page['html_file']}.html.gz").read_bytes())
        out = extract_page(body, page["link"], quality.options_for(page["link"]), "text/html")
        rows.append({"page": page, "ours": out, "ours_s": 0.0})
    return quality.score(rows, "ours")


def test_sample_bodies_are_clean_and_complete(sample):
    assert sample["f1"] >= 0.92, sample["f1"]  # trafilatura's defaults score about 0.92 on the whole set
    assert sample["precision"] >= 0.88 and sample["recall"] >= 0.92


def test_sample_metadata(sample):
    assert sample["title"] >= 0.88
    assert sample["date"] >= 0.80
    assert sample["author"] >= 0.82


def test_no_listing_page_becomes_an_article(corpus):
    listings = quality.run_listings(corpus)
    fronts = [x for x in listings if x["type"] in quality.LISTING_TYPES]
    assert len(fronts) >= 10
    assert [x["url"] for x in fronts if x["kind"] == "article"] == []
    stories = [x for x in listings if x["type"] == "article"]
    assert all(x["kind"] == "article" for x in stories), [x["url"] for x in stories if x["kind"] != "article"]


@pytest.mark.parametrize("page_id, url, passage", [
    # a checklist of <div>s (no <p>) inside the page's <main>: the first reading kept its intro only
    ("4184", "https://www.consumerreports.org/cars/car-repair-maintenance/your-car-maintenance-checklist-a6808357212/",
     "Time and engine operation change the pH of the coolant"),
    ("0073", "https://nutritionsource.hsph.harvard.edu/healthy-eating-plate/",
     "Protein power – ¼ of your plate. Fish, poultry, beans"),
])
def test_a_story_the_first_reading_cut_to_a_fraction_of_the_page_main_is_read_in_full(corpus, page_id, url, passage):
    path = corpus / "wcxb-dev" / "dev" / "html" / f"{page_id}.html.gz"
    if not path.is_file():
        pytest.skip("wcxb-dev is not available")
    out = extract_page(gzip.decompress(path.read_bytes()), url, quality.options_for(url), "text/html")
    assert out["kind"] == "article" and passage in out["body"]
