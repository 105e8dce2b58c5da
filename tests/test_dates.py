"""The published date's readings of a page (pipelines/dates.py), from small hand-written pages."""

from __future__ import annotations

from lxml import html as lxml_html

from pipelines.dates import _texts_after, headline_date


def _following_texts(h1) -> list[str]:
    return [str(node) for node in
            h1.xpath("following::text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")]


PAGE = """<html><body><div class="wrap"><header><h1>Harbor cranes <b>go</b> electric</h1>
<!-- byline --><p class="byline">By <a href="/m">Mara Okafor</a><script>var d = "2020-01-01";</script>
<span>5 March 2024</span></p><style>.x{}</style></header><noscript>Enable scripts 2019-02-02</noscript>
<div><p>The port authority said on Tuesday...</p></div></div><footer>Example Gazette 2024</footer></body></html>"""


def test_the_text_after_the_headline_is_read_as_the_following_axis_reads_it():
    h1 = lxml_html.fromstring(PAGE).xpath("//h1")[0]
    want = _following_texts(h1)
    assert list(_texts_after(h1, 1000)) == want
    assert list(_texts_after(h1, 3)) == want[:3]


def test_text_inside_an_unread_element_around_the_headline_is_skipped():
    h1 = lxml_html.fromstring("<html><body><noscript><h1>Old</h1><p>1 May 2020</p></noscript>"
                              "<p>2 June 2021</p></body></html>").xpath("//h1")[0]
    assert list(_texts_after(h1, 10)) == _following_texts(h1)


def test_the_dateline_under_the_headline_is_its_date():
    assert headline_date(lxml_html.fromstring(PAGE)) == "2024-03-05"
