"""The published date's readings of a page (pipelines/dates.py), from small hand-written pages."""

from __future__ import annotations

import pytest
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


def _story_page(head: str = "", footer: str = "") -> bytes:
    paragraphs = "".join(f"<p>{text}</p>" for text in (
        "The new harbor cranes are charged overnight from the port's own substation, which was rebuilt last "
        "winter to carry the extra load without dimming the terminal lights.",
        "Operators chose batteries over trailing cables because the cranes move between berths several times a "
        "shift, and a cable reel would have needed a trench along the whole quay.",
        "Each crane stores enough energy for about nine hours of lifting, the engineers said, and a fast charger "
        "at the north berth tops them up during the lunch break when traffic is light.",
        "Crews on the docks say the machines are quieter than the diesel ones they replace, so signals can be "
        "heard again without the radios that were handed out two years ago."))
    return (f"<html lang='en'><head><title>How harbor cranes charge</title>{head}</head><body><main><article>"
            f"<h1>How harbor cranes charge</h1>{paragraphs}</article></main>"
            f"<footer>{footer}</footer></body></html>").encode()


def test_a_copyright_year_is_not_taken_for_the_day_a_page_was_published():
    from pipelines.extract import ExtractOptions, extract_page

    options = ExtractOptions(site="example.org", domains=("example.org",))
    out = extract_page(_story_page(footer="<p>© 2025 Example Gazette. All rights reserved.</p>"),
                       "https://example.org/guides/harbor-cranes", options, "text/html")
    assert out["kind"] == "article" and out["published"] is None, out.get("published")
    marked = _story_page(head='<meta property="article:published_time" content="2025-01-01T08:00:00Z">',
                         footer="<p>© 2025 Example Gazette.</p>")
    out = extract_page(marked, "https://example.org/guides/harbor-cranes", options, "text/html")
    assert out["published"].startswith("2025-01-01"), out["published"]


def test_a_year_and_a_month_are_no_day_under_the_headline_or_in_a_date_element():
    # a season ("2011-12") or a month ("12/2019") was read as the 1st or as today's day of that month
    from pipelines.dates import normalize_date, visible_date

    seasons = lxml_html.fromstring("<html><body><h1>Standings 2025-26</h1><p>League</p><p>2011-12</p>"
                                   "<p>2010-11</p></body></html>")
    assert headline_date(seasons) is None
    month = lxml_html.fromstring('<html><body><h1>Offers</h1><span class="date">12/2019</span></body></html>')
    assert headline_date(month) is None and visible_date(month) is None
    day = lxml_html.fromstring('<html><body><h1>Offers</h1><span class="date">3 Dec 2019</span></body></html>')
    assert headline_date(day) == "2019-12-03" and normalize_date(visible_date(day))[:10] == "2019-12-03"


RAIL = """<ul class="rail">
<li class="card"><h3><a href="/news/ferry">Ferry timetable changes for the winter</a></h3><span class="date">March 13, 2026</span></li>
<li class="card"><h3><a href="/news/dredging">Dredging of the south channel begins</a></h3><span class="date">January 2, 2019</span></li>
</ul>"""


def test_a_date_in_a_rail_of_other_stories_teasers_is_not_the_story_s_shown_date():
    from pipelines.dates import normalize_date, visible_date

    # the rail comes first in the page, as a carousel or a sidebar printed before the story does
    rail_only = lxml_html.fromstring(f"<html><body>{RAIL}<article><h1>Harbor cranes go electric</h1>"
                                     "<p>The port authority said on Tuesday...</p></article></body></html>")
    assert visible_date(rail_only) is None
    dated = lxml_html.fromstring(f"<html><body>{RAIL}<article><h1>Harbor cranes go electric</h1>"
                                 '<ul class="meta"><li class="meta-item">By <a href="/m">Mara Okafor</a></li>'
                                 '<li class="meta-item"><span class="date">5 March 2024</span></li></ul>'
                                 "<p>The port authority said on Tuesday...</p></article></body></html>")
    assert normalize_date(visible_date(dated))[:10] == "2024-03-05"


def test_the_order_of_a_numeric_dateline_is_read_from_its_time_markup():
    def dateline(time: str, lang: str = "en") -> str | None:
        return headline_date(lxml_html.fromstring(f'<html lang="{lang}"><body><h1>Candidate experience</h1>'
                                                  f'<div class="meta">{time} by Agatha Caleo</div></body></html>'))

    # "03/01/2017" on a page that names no country is read day first, unless its markup says otherwise
    assert dateline("<span>03/01/2017</span>") == "2017-01-03"
    assert dateline('<time datetime="2017-03-01T12:00:00Z">03/01/2017</time>') == "2017-03-01"
    # a datetime that is neither reading of the text (a stale one) does not overrule it
    assert dateline('<time datetime="2019-09-03">12/22/2023</time>', "en-US") == "2023-12-22"


def test_today_s_date_in_the_site_masthead_is_not_the_story_s_date():
    from pipelines.dates import visible_date
    from pipelines.extract import ExtractOptions, extract_page

    story = _story_page().decode().replace(
        "<main>", '<header class="site"><nav><a href="/">Home</a> <a href="/money">Money</a></nav>'
                  '<div class="block-date">Friday, December 19, 2025</div></header><main>', 1).replace(
        "</h1>", "</h1><p>By Mara Okafor</p><p>December 12, 2025</p>", 1)
    assert visible_date(lxml_html.fromstring(story)) is None
    out = extract_page(story.encode(), "https://example.org/life/harbor-cranes",
                       ExtractOptions(site="example.org", domains=("example.org",)), "text/html")
    assert out["published"][:10] == "2025-12-12", out["published"]
    # the story's own header (it holds the headline) keeps its date
    own = lxml_html.fromstring('<html><body><article><header><h1>Cranes</h1><nav><a href="/a">A</a></nav>'
                               '<span class="date">12 December 2025</span></header></article></body></html>')
    assert visible_date(own) == "12 December 2025"


@pytest.mark.parametrize("lang, label, dateline, day", [
    ("en", "Published", "October 14, 2025", "2025-10-14"),
    ("de", "Veröffentlicht am", "14. Oktober 2025", "2025-10-14"),
    ("fr", "Publié le", "14 octobre 2025", "2025-10-14"),
])
def test_a_date_beside_a_published_label_of_its_own_is_the_shown_date(lang, label, dateline, day):
    from pipelines.dates import normalize_date, visible_date

    tree = lxml_html.fromstring(f'<html lang="{lang}"><body><div class="hero"><div class="t1">{label}</div>'
                                f'<div class="t2">{dateline}</div><a href="/c">Training</a></div>'
                                "<h1>Top companies</h1><p>Text of the story.</p></body></html>")
    assert normalize_date(visible_date(tree))[:10] == day


def test_a_comment_between_the_published_label_and_its_date_is_passed_over():
    from pipelines.dates import normalize_date, visible_date

    for between in ("<!-- date -->", "<?php echo ?>"):
        tree = lxml_html.fromstring(f"<html><body><div><span>Published</span>{between}<span>3 May 2024</span></div>"
                                    "<h1>Top companies</h1></body></html>")
        assert normalize_date(visible_date(tree))[:10] == "2024-05-03", between


def test_a_date_published_carried_by_a_script_s_escaped_data_dates_an_undated_page():
    from pipelines.extract import ExtractOptions, extract_page

    flight = (r'<script>self.__next_f.push([1,"{\"@context\":\"https://schema.org\",\"@type\":\"BlogPosting\",'
              r'\"dateModified\":\"2025-03-01T00:00:00.000Z\",\"datePublished\":\"2025-02-04T00:00:00.000Z\"}"])'
              "</script>")
    options = ExtractOptions(site="example.org", domains=("example.org",))
    out = extract_page(_story_page(footer=flight), "https://example.org/blog/harbor-cranes", options, "text/html")
    assert (out["published"] or "").startswith("2025-02-04"), out["published"]
    # a page that states its date in its markup keeps it
    marked = _story_page(head='<meta property="article:published_time" content="2024-05-06T08:00:00Z">', footer=flight)
    out = extract_page(marked, "https://example.org/blog/harbor-cranes", options, "text/html")
    assert out["published"].startswith("2024-05-06"), out["published"]


def test_an_update_under_the_headline_dates_a_page_that_states_no_other_date():
    from pipelines.extract import ExtractOptions, extract_page

    options = ExtractOptions(site="example.org", domains=("example.org",))
    byline = '</h1><p class="byline">By Mara Okafor · Last updated: December 11, 2025</p>'
    rail = ('<aside><h2>More guides</h2><ul><li><a href="/guides/quay-lights">How the quay lights were rewired</a> '
            '<p class="card-date">Updated October 17, 2025</p></li></ul></aside>')
    # the rail comes first in the source, as a sidebar or a menu of cards often does
    page = _story_page().replace(b"</h1>", byline.encode(), 1).replace(b"<main>", rail.encode() + b"<main>", 1)
    out = extract_page(page, "https://example.org/guides/harbor-cranes", options, "text/html")
    assert (out["published"] or "").startswith("2025-12-11"), out["published"]
    # a page that declares when it was published keeps that date
    marked = _story_page(head='<meta property="article:published_time" content="2024-05-06T08:00:00Z">').replace(
        b"</h1>", byline.encode(), 1).replace(b"<main>", rail.encode() + b"<main>", 1)
    out = extract_page(marked, "https://example.org/guides/harbor-cranes", options, "text/html")
    assert out["published"].startswith("2024-05-06"), out["published"]


def test_a_dateline_just_above_the_headline_dates_a_page_that_states_no_other_date():
    from pipelines.extract import ExtractOptions, extract_page

    options = ExtractOptions(site="example.org", domains=("example.org",))
    rail = ('<aside><h2>More guides</h2><ul><li><a href="/guides/quay-lights">How the quay lights were rewired</a> '
            '<p class="card-date">October 17, 2025</p></li></ul></aside>')
    kicker = b'<p class="kicker"><a href="/guides/">Guides</a> January 23, 2025</p><h1>'
    page = _story_page().replace(b"<h1>", kicker, 1).replace(b"<main>", rail.encode() + b"<main>", 1)
    out = extract_page(page, "https://example.org/guides/harbor-cranes", options, "text/html")
    assert (out["published"] or "").startswith("2025-01-23"), out["published"]
    # the date above an update's label is the first one: the update is not the story's date
    both = kicker.replace(b"</p>", b" <span>Updated: March 2, 2026</span></p>")
    page = _story_page().replace(b"<h1>", both, 1).replace(b"<main>", rail.encode() + b"<main>", 1)
    out = extract_page(page, "https://example.org/guides/harbor-cranes", options, "text/html")
    assert (out["published"] or "").startswith("2025-01-23"), out["published"]
    # today's date in the site's masthead, above the story, is not read as the story's
    masthead = ('<html><body><header role="banner"><nav><a href="/">Home</a></nav><p>Thursday, March 5, 2026</p>'
                '</header><main><h1>How harbor cranes charge</h1><p>The cranes charge overnight.</p></main></body></html>')
    assert headline_date(lxml_html.fromstring(masthead), above=True) is None
