"""The headline picked from a page's <h1> and metadata titles (pipelines/titles.py)."""

from __future__ import annotations

from trafilatura.utils import load_html

from pipelines.metadata import page_metadata
from pipelines.titles import pick_title


def _title(html: str, domains: tuple[str, ...] = ("example.org",)) -> str:
    return pick_title(page_metadata(load_html(html)), domains=domains)


def test_short_tag_line_after_a_pipe_in_the_heading_is_dropped():
    page = ("<html><head><title>Best Bakeries in Lyon 2025 | Top 12 Shops | Example</title></head>"
            "<body><h1>Best Bakeries in Lyon 2025 | Top 12 Shops</h1><p>Text.</p></body></html>")
    assert _title(page) == "Best Bakeries in Lyon 2025"


def test_long_part_after_a_pipe_stays():
    page = ("<html><head><title>Ten Cheap Cameras | The Best Mirrorless Models on Sale Now</title></head>"
            "<body><h1>Ten Cheap Cameras | The Best Mirrorless Models on Sale Now</h1></body></html>")
    assert _title(page) == "Ten Cheap Cameras | The Best Mirrorless Models on Sale Now"


def test_short_heading_before_a_pipe_is_not_cut_to_nothing():
    page = ("<html><head><title>Opinion | Why the river flooded again this spring</title></head>"
            "<body><h1>Why the river flooded | Opinion</h1></body></html>")
    assert _title(page) == "Why the river flooded"


def test_several_short_parts_after_pipes_are_dropped_one_by_one():
    page = ("<html><head><title>Health</title></head><body>"
            "<h1>How to help toddlers sleep through the night | Patient Education | Lakeside Regional Children's Hospital</h1>"
            "</body></html>")
    assert _title(page) == "How to help toddlers sleep through the night"


def test_an_infographic_label_after_a_separator_is_dropped():
    page = "<html><head><title>Harbour Crane Safety Rankings 2025 - Infographic</title></head><body><p>x</p></body></html>"
    assert _title(page) == "Harbour Crane Safety Rankings 2025"


def test_a_line_break_inside_the_heading_parts_its_words_and_its_script_is_no_text():
    page = ("<html><head><title>Site</title></head><body><h1>Moving to Canada (US)<br>Your Guide to Visas"
            "<script>track('h1')</script></h1><p>Text.</p></body></html>")
    assert _title(page) == "Moving to Canada (US) Your Guide to Visas"


def test_inline_markup_inside_a_heading_word_keeps_the_word_whole():
    page = "<html><body><h1><span class='drop'>W</span>ildfires <em>spread</em> north</h1><p>Text.</p></body></html>"
    assert _title(page) == "Wildfires spread north"
