"""Title, published date and authors on small pages written for these tests, in several
languages: each field is what the page itself states, read from where pages of many sites put it."""

from __future__ import annotations

import html
import json

import pytest
from trafilatura.utils import load_html

from pipelines.extract import ExtractOptions, extract_page
from pipelines.dates import normalize_date
from pipelines.dates import headline_date, text_date_vote, visible_date
from pipelines.metadata import page_metadata
from pipelines.titles import pick_title

OPTIONS = ExtractOptions(site="example", domains=("example.com",))
URL = "https://example.com/news/harbor-cranes-go-electric"
TITLE = "Harbor cranes go electric as port retires its diesel generators"
STORY = [
    "The port authority said on Tuesday that every container crane on the north quay will run on grid "
    "electricity by the end of next year, replacing the diesel generators that have powered them since 1998.",
    "Engineers began testing the first converted crane in January, and the authority says it has moved more "
    "than eleven thousand containers without a single unplanned stop since the trial started.",
    "The conversion costs about four million euros per crane, roughly a third of which is covered by a regional "
    "climate fund that also paid for new substations along the quay.",
    "Unions welcomed the plan but asked for retraining commitments for the mechanics who maintain the old "
    "generators, a request the authority said it would answer before the summer.",
]
# a rail of other stories after this one, each with its own date: what a date search may pick instead
RELATED = """<section class="more"><h2>More from the port</h2>
<div><a href="/news/ferry">Ferry timetable changes for the winter</a> <span>March 13, 2026</span></div>
<div><a href="/news/dredging">Dredging of the south channel begins</a> <span>January 2, 2019</span></div>
</section>"""


def page(*, head: str = "", h1: str = TITLE, before: str = "", after: str = RELATED, lang: str = "en",
         title: str | None = None) -> bytes:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in STORY)
    title = html.escape(title if title is not None else f"{TITLE} | Example Gazette")
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><header><a href="/">Example Gazette</a></header>
<main><article><h1>{html.escape(h1)}</h1>{before}<div class="content">{body}</div></article>{after}</main>
<footer>© Example Gazette</footer></body></html>""".encode()


def extract(body: bytes, url: str = URL) -> dict:
    out = extract_page(body, url, OPTIONS, "text/html; charset=utf-8")
    assert out["kind"] == "article", out
    return out


# -- published date ------------------------------------------------------------------------------

@pytest.mark.parametrize("dateline, day", [
    ("<p>By the port desk</p><p>February 4, 2025</p>", "2025-02-04"),
    ("<p>Published 20 December 2025</p>", "2025-12-20"),
    ("<p>12. Dezember 2025</p>", "2025-12-12"),
    ("<span>12.11.2025</span>", "2025-11-12"),
])
def test_the_dateline_under_the_headline_is_the_published_date_when_nothing_marks_one(dateline, day):
    out = extract(page(before=dateline))
    assert out["published"][:10] == day


def test_a_dateline_in_an_element_extraction_drops_as_furniture_still_dates_the_story():
    # a CMS names its dateline paragraph a "caption"; the body's furniture filter drops it, but the
    # page showed it, and the dates are read from the page as it was served
    out = extract(page(before='<p class="rte-paragraph__caption">21. Januar 2022 | Mobilität</p>', lang="de",
                       after=""))
    assert (out["published"] or "")[:10] == "2022-01-21", out["published"]


def test_a_date_labelled_as_an_update_under_the_headline_is_not_the_published_date():
    out = extract(page(before="<p>Updated:</p><p>March 3, 2025</p><p>Published February 4, 2025</p>"))
    assert out["published"][:10] == "2025-02-04"


def ld(published: str, modified: str | None = None) -> str:
    node = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE, "datePublished": published}
    if modified:
        node["dateModified"] = modified
    return f'<script type="application/ld+json">{json.dumps(node)}</script>'


def test_the_web_page_node_dates_a_page_whose_graph_has_no_article_node():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "https://example.com/#website", "name": "Example Gazette"},
        {"@type": "WebPage", "@id": URL, "name": TITLE, "datePublished": "2024-03-17T19:47:39+00:00",
         "dateModified": "2024-05-03T08:00:00+00:00"}]}
    body = page(head=f'<script type="application/ld+json">{json.dumps(graph)}</script>')
    assert page_metadata(load_html(body.decode())).published_page == "2024-03-17T19:47:39+00:00"
    assert extract(body)["published"][:10] == "2024-03-17"


def test_the_story_s_published_tag_comes_before_a_generic_date_tag():
    tree = load_html('<html><head><meta name="date" content="01/07/16">'
                     '<meta content="2024-10-08T00:00:00-04:00" property="og:published_time"></head><body></body></html>')
    assert page_metadata(tree).published_meta == "2024-10-08T00:00:00-04:00"


def test_a_declared_date_nothing_on_the_page_repeats_yields_to_the_date_shown_under_the_headline():
    # a re-saved page: JSON-LD stamps the last save, the byline shows the story's day twice
    out = extract(page(head=ld("2025-11-05T10:00:00Z", "2025-11-05T10:00:00Z"),
                       before='<p>By the port desk</p><p>31 January 2024</p>'
                              '<div class="post-date"><time datetime="2024-01-31">31 January 2024</time></div>'))
    assert out["published"][:10] == "2024-01-31"


def test_a_declared_date_the_byline_repeats_stands_against_an_other_date_in_the_text():
    out = extract(page(head=ld("2024-09-10T08:00:00Z"),
                       before='<time datetime="2024-09-10T08:00:00Z">September 10, 2024</time>'))
    assert out["published"][:10] == "2024-09-10"


def test_the_modified_date_written_under_the_headline_is_the_date_readers_know_the_story_by():
    out = extract(page(head=ld("2024-05-09T10:00:00Z", "2025-12-16T09:00:00Z"),
                       before="<p>16 December 2025</p><p>by Sam Example</p>"))
    assert out["published"][:10] == "2025-12-16"


def test_the_modified_date_is_not_taken_when_the_first_date_is_shown_too():
    out = extract(page(head=ld("2025-04-24T10:00:00Z", "2025-05-21T09:00:00Z"),
                       before='<p>May 21, 2025</p><p>by Sam Example</p>'
                              '<time datetime="2025-04-24T10:00:00Z">April 24, 2025</time>'))
    assert out["published"][:10] == "2025-04-24"


def test_a_time_inside_a_container_named_for_an_update_is_not_the_shown_date():
    out = extract(page(head=ld("2017-04-03", "2026-02-12T12:07:55-05:00"),
                       before='<div class="metadata"><div class="updated_at"><time datetime="2026-02-12T12:07:55-05:00">'
                              'Jan. 16, 2026</time></div></div>', after=""))
    assert out["published"][:10] == "2017-04-03"


@pytest.mark.parametrize("lang, shown, day", [
    ("de", "01.02.2022", "2022-02-01"),
    ("de", "3. März 2025", "2025-03-03"),
    ("fr", "Publié le 29 juin 2019", "2019-06-29"),
    ("en", "09.10.2024", "2024-09-10"),  # American pages write the month first, dots or not
    ("en", "April 2024", None),  # a month names no day
])
def test_a_date_shown_in_an_element_named_for_it_is_read_in_the_page_language(lang, shown, day):
    tree = load_html(f'<html lang="{lang}"><body><h1>T</h1><div class="post-date">{shown}</div></body></html>')
    assert (normalize_date(visible_date(tree) or "") or "")[:10] == (day or "")


@pytest.mark.parametrize("readings, day", [
    (("2025-12-02", "2025-03-13", "2025-12-02"), "2025-12-02"),  # the dateline and htmldate outvote a rail's <time>
    (("2025-12-02", "2025-03-13", "2025-03-13"), "2025-03-13"),
    (("2025-12-02", "2025-03-13", None), "2025-12-02"),
    ((None, "2025-03-13", "2019-01-01"), "2025-03-13"),
    ((None, None, "2019-01-01"), "2019-01-01"),
])
def test_without_a_declared_date_the_readings_of_the_text_vote(readings, day):
    asked = []

    def reading(n):
        return lambda: asked.append(n) or readings[n]

    assert text_date_vote(reading(0), reading(1), reading(2)) == day
    if readings[0] and readings[1] and readings[0] == day and readings[2] is None:
        assert 2 in asked
    if readings[1] is not None and readings[0] is None:
        assert 2 not in asked  # htmldate is asked only to settle a disagreement or when nothing else speaks


@pytest.mark.parametrize("dateline, day", [
    ("<p>2025年12月3日</p>", "2025-12-03"),
    ("<p>2025.11.07</p>", "2025-11-07"),
    ("<p>기자 2025년 10월 9일</p>", "2025-10-09"),
])
def test_datelines_of_scripts_written_without_month_names(dateline, day):
    tree = load_html(f"<html><body><h1>見出し</h1>{dateline}<p>本文</p></body></html>")
    assert headline_date(tree) == day


@pytest.mark.parametrize("lang, dateline, day", [
    ("ru", "3 марта 2025 г.", "2025-03-03"),
    ("es", "3 de marzo de 2025", "2025-03-03"),
    ("it", "3 ottobre 2025", "2025-10-03"),
    ("pl", "3 listopada 2025", "2025-11-03"),
    ("el", "3 Μαρτίου 2025", "2025-03-03"),
    ("ar", "٣ مارس ٢٠٢٥", "2025-03-03"),  # Arabic-Indic digits
    ("hi", "3 मार्च 2025", "2025-03-03"),
    ("ja", "２０２５年３月３日", "2025-03-03"),  # full-width digits
    ("xx", "3 марта 2025", "2025-03-03"),  # a language the page does not declare
])
def test_dates_with_the_month_written_in_other_languages_are_read_under_the_headline_and_where_shown(
        lang, dateline, day):
    tree = load_html(f'<html lang="{lang}"><body><h1>T</h1><p>{dateline}</p><p>x</p></body></html>')
    assert headline_date(tree) == day
    tree = load_html(f'<html lang="{lang}"><body><h1>T</h1><span class="date">{dateline}</span></body></html>')
    assert (normalize_date(visible_date(tree) or "") or "")[:10] == day


@pytest.mark.parametrize("text", ["12 комментариев 2025", "5 min read 2025"])
def test_a_number_and_a_word_before_a_year_are_no_date_unless_the_word_is_a_month(text):
    tree = load_html(f'<html lang="ru"><body><h1>T</h1><p>{text}</p><p>x</p></body></html>')
    assert headline_date(tree) is None


def test_a_year_written_before_a_cjk_unit_is_seen_in_a_date_element():
    tree = load_html('<html lang="ja"><body><h1>T</h1><span class="date">2025年3月3日 10:21</span></body></html>')
    assert visible_date(tree)[:10] == "2025-03-03"


@pytest.mark.parametrize("lang, dateline, day", [
    ("en-US", "Posted 09/10/2024 10:00 AM", "2024-09-10"),
    ("en-us", "9/10/2024", "2024-09-10"),
    ("en-GB", "09/10/2024", "2024-10-09"),
    ("en", "03/10/2023", "2023-10-03"),  # a page that names no country may be British
    ("en-US", "13/10/2024", "2024-10-13"),  # no month 13: the day came first
    ("fr", "09/10/2024", "2024-10-09"),
])
def test_a_slashed_dateline_is_month_first_only_on_a_page_in_american_english(lang, dateline, day):
    tree = load_html(f'<html lang="{lang}"><body><h1>T</h1><p>{dateline}</p><p>x</p></body></html>')
    assert headline_date(tree) == day


def test_a_year_alone_under_the_headline_is_no_date():
    tree = load_html("<html><body><h1>News</h1><p>Come Together</p><p>2018</p><p>Text of the story</p></body></html>")
    assert headline_date(tree) is None


# -- authors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("label, reading", [
    ("Written by", "Est. reading time"),
    ("Écrit par", "Durée de lecture estimée"),
    ("Verfasst von", "Geschätzte Lesezeit"),
    ("執筆者", "読了時間"),
    ("Skrevet av", "Lesetid"),
])
def test_the_writer_a_pages_card_metadata_names_is_its_author(label, reading):
    head = (f'<meta name="twitter:label1" content="{label}"><meta name="twitter:data1" content="Ingrid Solberg">'
            f'<meta name="twitter:label2" content="{reading}"><meta name="twitter:data2" content="5 minutes">')
    assert extract(page(head=head))["authors"] == ["Ingrid Solberg"]


@pytest.mark.parametrize("byline, name, lang", [
    ("<div><span>By</span><span>Daryl Austen</span></div>", "Daryl Austen", "en"),
    ("<div>Written by</div><div>Meghan Nevis</div><div>Content Marketing Coordinator</div>", "Meghan Nevis", "en"),
    ("<p>Av</p><p>Kari Nordmann</p>", "Kari Nordmann", "no"),
    ("<p><span>Por</span> <span>Lucía Fernández</span></p>", "Lucía Fernández", "es"),
    ("<p>Von Jonas Becker</p>", "Jonas Becker", "de"),
])
def test_a_byline_written_without_byline_markup_under_the_headline_credits_its_name(byline, name, lang):
    assert extract(page(before=byline, lang=lang))["authors"] == [name]


def test_a_byline_element_that_sets_the_name_apart_from_a_job_title_credits_the_name():
    byline = '<div class="author-box"><div>Ana Souza</div><div>Former Harbor Operations Manager</div></div>'
    assert extract(page(before=byline))["authors"] == ["Ana Souza"]


@pytest.mark.parametrize("credit", ["Harborwatch Contributor", "Our Editors"])
def test_a_house_credit_is_kept_as_the_page_gives_it(credit):
    assert extract(page(before=f'<p class="byline">{credit}</p>'))["authors"] == [credit]


def test_a_job_title_after_a_comma_is_still_not_part_of_the_name():
    assert extract(page(before='<p class="byline">By Kristin Lowe, Senior Editor</p>'))["authors"] == ["Kristin Lowe"]


@pytest.mark.parametrize("byline", [
    '<div class="byline"><span class="byline__category"><a href="/ports-and-harbors">Ports &amp; Harbors</a></span>'
    '<span class="byline__date">March 3, 2025</span></div>',
    '<div class="post-byline"><a href="/blog/tag/green-shipping">Green shipping</a> <span>March 3, 2025</span></div>',
    '<p class="byline">Sat, 20 Dec, 2025 - 06:36</p>',
])
def test_tags_sections_and_dates_in_byline_markup_are_no_credit(byline):
    assert extract(page(before=byline))["authors"] == []


def test_a_byline_that_files_the_story_under_a_topic_still_credits_its_writer():
    byline = '<p class="byline">By <a href="/people/mara-lind">Mara Lind</a> in <a href="/topics/ports">Ports</a></p>'
    assert extract(page(before=byline))["authors"] == ["Mara Lind"]

@pytest.mark.parametrize("credit, names", [
    ("Mara Lind, DVM", ["Mara Lind"]),
    ("Mara Lind, VMD, DACVB; Ola Berg, BA, LVT, VTS (Behavior)", ["Mara Lind", "Ola Berg"]),
    ("Mara Lind 1, Ola Berg 2", ["Mara Lind", "Ola Berg"]),
    ("Mara Lind1,2 and Ola Berg3", ["Mara Lind", "Ola Berg"]),
])
def test_degrees_and_affiliation_marks_after_a_name_are_not_more_people(credit, names):
    assert extract(page(before=f'<p class="byline">{credit}</p>'))["authors"] == names

@pytest.mark.parametrize("card, name", [
    ('<aside class="facts"><h3>Author</h3><p>Mara Lind</p></aside>', "Mara Lind"),
    ('<div class="card"><h2>Article by</h2><div>Mara Lind</div></div>', "Mara Lind"),
    ('<div class="bio"><img src="a.jpg" alt=""><p>Written by Mara Lind</p></div>', "Mara Lind"),
    ('<div class="bio"><p>Geschrieben von Jonas Becker</p></div>', "Jonas Becker"),
    ('<div class="meta"><strong>Contributors:</strong> Mara Lind</div>', "Mara Lind"),
])
def test_a_credit_behind_an_explicit_label_anywhere_on_the_page_is_the_author(card, name):
    assert extract(page(after=card + RELATED))["authors"] == [name]


@pytest.mark.parametrize("other", [
    '<section class="comments"><p>Written by</p><p>Ola Berg</p></section>',
    '<table><tr><td>Ola Berg, <span>author</span> <span>Kari Nordmann</span>, historian</td></tr></table>',
])
def test_a_labelled_credit_in_the_comments_or_a_role_after_a_name_is_not_the_author(other):
    assert extract(page(after=other + RELATED))["authors"] == []


@pytest.mark.parametrize("byline, name, lang", [
    ('<p class="byline">Af Mette Hansen</p>', "Mette Hansen", "da"),
    ('<p class="byline">Av Kari Nordmann</p>', "Kari Nordmann", "no"),
    ('<p class="byline">Door Jan de Vries</p>', "Jan de Vries", "nl"),
    ('<p class="byline">di Marco Rossi</p>', "Marco Rossi", "it"),
    ('<p class="byline">홍길동 기자</p>', "홍길동", "ko"),
    ("<p>홍길동 기자 hong@example.com</p>", "홍길동", "ko"),
    ("<p>文・山田太郎</p>", "山田太郎", "ja"),
    ("<p>记者 张伟</p>", "张伟", "zh"),
    ('<p class="byline">dpa</p>', "dpa", "de"),
])
def test_bylines_in_the_words_and_order_of_other_languages(byline, name, lang):
    assert extract(page(before=byline, lang=lang))["authors"][:1] == [name]


def test_two_names_behind_a_byline_word_are_two_authors():
    assert extract(page(before="<p>Von Jonas Becker und Anna Schmidt</p>", lang="de"))["authors"] == [
        "Jonas Becker", "Anna Schmidt"]

def test_a_person_the_page_names_beats_the_user_name_of_the_account_that_posted():
    ld = ('<script type="application/ld+json">{"@graph": [{"@type": "Article", "headline": "Cranes", '
          '"author": {"@id": "#p"}}, {"@type": "Person", "@id": "#p", "name": "Mara Lind"}]}</script>')
    assert extract(page(head='<meta name="author" content="mlind2">' + ld))["authors"] == ["Mara Lind"]

def test_a_sentence_in_byline_markup_that_names_people_credits_none_of_them():
    byline = '<div class="contributors">Top contributors for Mara Lind and Ola Berg</div>'
    assert extract(page(before=byline))["authors"] == []

@pytest.mark.parametrize("byline", [
    '<div><span class="author-initials">ML</span><div class="author-name">Mara Lind</div></div>',
    '<div><h4 class="author-heading">Insights from</h4><div class="author-name">Mara Lind</div></div>',
    '<div><div class="author">Mara Lind Head Winemaker, Co-Founder</div><div class="author-name">Mara Lind</div></div>',
])
def test_initials_labels_and_run_on_titles_in_an_author_box_give_way_to_the_name(byline):
    assert extract(page(before=byline))["authors"][:1] == ["Mara Lind"]

def test_the_site_named_as_jsonld_author_by_the_template_alone_is_no_credit():
    ld = ('<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Cranes", '
          '"author": {"@type": "Organization", "name": "Example Gazette"}}</script>')
    head = '<meta property="og:site_name" content="Example Gazette">' + ld
    assert extract(page(head=head))["authors"] == []
    assert extract(page(head=head, before='<p class="byline">Example Gazette</p>'))["authors"] == ["Example Gazette"]


def test_a_one_word_brand_as_jsonld_person_alone_is_the_cms_default_not_a_credit():
    ld = ('<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Cranes", '
          '"author": {"@type": "Person", "name": "Harborly"}}</script>')
    head = '<meta property="og:site_name" content="Harborly">' + ld
    assert extract(page(head=head))["authors"] == []


# -- titles --------------------------------------------------------------------------------------

def test_an_h1_that_is_the_sites_menu_or_name_is_not_the_title():
    head = f'<meta property="og:title" content="{TITLE}">'
    out = extract(page(head=head, h1="Return to the main website", title=f"{TITLE} - Example Gazette"))
    assert out["title"] == TITLE


def test_a_number_the_pages_titles_open_with_is_part_of_the_headline_not_a_kicker():
    head = ('<meta property="og:title" content="2025 Harbor Crane Price Guide &amp; Rate Comparison | Example">'
            '<script type="application/ld+json">{"@type": "Article", '
            '"headline": "Harbor Crane Price Guide & Rate Comparison"}</script>')
    out = extract(page(head=head, h1="2025 Harbor Crane Price Guide & Rate Comparison"))
    assert out["title"] == "2025 Harbor Crane Price Guide & Rate Comparison"


def test_a_genre_kicker_over_the_headline_still_goes():
    head = f'<meta property="og:title" content="{TITLE}">'
    assert extract(page(head=head, h1=f"Analysis {TITLE}"))["title"] == TITLE


@pytest.mark.parametrize("h1, title", [
    ("新型電池の量産を来年開始へ", "新型電池の量産を来年開始へ｜テック新報"),
    ("港湾クレーンを電動化、ディーゼル発電機を廃止", "港湾クレーンを電動化、ディーゼル発電機を廃止 - 港湾ニュース"),
    ("港口起重机全面电动化", "港口起重机全面电动化_港口新闻网"),
])
def test_a_headline_in_a_script_without_spaces_wins_over_a_title_with_an_undeclared_site_suffix(h1, title):
    tree = load_html(f"<html><head><title>{title}</title></head><body><h1>{h1}</h1><p>本文</p></body></html>")
    assert pick_title(page_metadata(tree), domains=("example.jp",)) == h1


@pytest.mark.parametrize("credit, name", [
    ('<p class="byline">Harborwatch November 26th</p>', "Harborwatch"),
    ('<p class="byline">Kristin Lowe March 3rd, 2024</p>', "Kristin Lowe"),
])
def test_a_date_written_with_an_ordinal_after_the_name_is_not_part_of_it(credit, name):
    assert extract(page(before=credit))["authors"] == [name]


def test_a_name_the_page_gives_in_quotes_is_the_name():
    assert extract(page(head='<meta name="author" content="&quot;Ingrid Solberg&quot;">'))["authors"] == ["Ingrid Solberg"]


@pytest.mark.parametrize("h1, title", [("Kaffe", "Kaffe – Universitetet i Sørland"), ("コーヒー", "コーヒー｜東海大学")])
def test_a_one_word_headline_shows_where_a_title_with_an_undeclared_site_name_ends(h1, title):
    tree = load_html(f"<html><head><title>{title}</title></head><body><h1>{h1}</h1><p>x</p></body></html>")
    assert pick_title(page_metadata(tree), domains=("example.org",)) == h1


def _title_of(head: str, body: str, domains: tuple[str, ...] = ("example.com",)) -> str:
    tree = load_html(f"<html><head>{head}</head><body>{body}<p>x</p></body></html>")
    return pick_title(page_metadata(tree), domains=domains)


@pytest.mark.parametrize("full, h1", [
    ("8 Ways to Keep a Harbor Crane Running", "Ways to Keep a Harbor Crane Running"),
    ("Die besten Hafenkräne 2026", "Die besten Hafenkräne"),
])
def test_a_list_count_or_year_the_metadata_titles_agree_on_is_kept(full, h1):
    head = f'<title>{full} - Example</title><meta property="og:title" content="{full}">'
    assert _title_of(head, f"<h1>{h1}</h1>") == full


def test_a_date_run_into_the_heading_after_the_agreed_title_goes():
    head = f'<meta property="og:title" content="{TITLE}"><meta name="twitter:title" content="{TITLE}">'
    assert _title_of(head, f"<h1>{TITLE} Posted on July 1, 2024 by admin</h1>") == TITLE


def test_a_cut_off_headline_gives_way_to_the_full_title_it_opens():
    cut = "Harbor cranes go electric as port retires its diesel (Including"
    head = (f'<script type="application/ld+json">{{"@type": "Article", "headline": "{cut}"}}</script>'
            f'<meta property="og:title" content="{cut} the old ones)">')
    assert _title_of(head, "") == f"{cut} the old ones)"


def test_the_host_name_before_a_title_without_a_separator_goes():
    assert _title_of("<title>example.com Vibe Coding</title>", "<h1>example.com</h1>") == "Vibe Coding"


def test_a_one_word_label_with_a_colon_over_the_agreed_title_goes():
    head = f'<title>{TITLE} | Example</title><meta property="og:title" content="{TITLE} | Example">'
    assert _title_of(head, f"<h1>Blog: {TITLE}</h1>") == TITLE


@pytest.mark.parametrize("section, url", [("District", "https://example.com/district/343604"),
                                          ("Inland", "https://example.no/inland/artikkel/123")])
def test_a_section_named_like_a_folder_of_the_address_ends_no_title(section, url):
    head = f'<title>{TITLE} | {section}</title><link rel="canonical" href="{url}">'
    assert _title_of(head, "") == TITLE


def test_a_two_word_title_the_metadata_agrees_on_loses_a_lead_in_before_it():
    head = '<title>Harbor Cranes | Example</title><meta property="og:title" content="Harbor Cranes | Example">'
    assert _title_of(head, "<h1>Meet the people behind Harbor Cranes</h1>") == "Harbor Cranes"


def test_a_description_put_in_a_title_tag_does_not_vouch_for_the_heading():
    text = " ".join(STORY[0].split()[:30])
    head = (f'<title>Port Electrification Update–Spring 2026</title><meta property="og:title" content="Port '
            f'Electrification Update–Spring 2026"><meta name="description" content="{text}">'
            f'<meta name="twitter:title" content="{text}">')
    assert _title_of(head, "<h1>Crane Grid Updates</h1>") == "Port Electrification Update–Spring 2026"


def test_a_paragraph_set_as_the_h1_is_not_the_headline():
    head = f'<title>{TITLE} | Example</title><meta property="og:title" content="{TITLE}">'
    assert _title_of(head, f"<h1>{STORY[0]} {STORY[1]}</h1>") == TITLE


@pytest.mark.parametrize("h1, meta", [
    ("history of harbor cranes", "History of harbor cranes | Origin, Ports, Facts"),
    ("BEST HARBOR CRANES IN 2026: TIPS FROM DOCKERS", "Best Harbor Cranes 2026: Tips From Dockers"),
])
def test_a_headline_set_in_small_letters_or_capitals_takes_the_metadata_spelling(h1, meta):
    head = f'<title>{meta}</title><meta property="og:title" content="{meta}">'
    assert _title_of(head, f"<h1>{h1}</h1>") == meta.split(" | ")[0]


@pytest.mark.parametrize("h1, title", [("How Do Harbor Cranes Work？", "How Do Harbor Cranes Work?"),
                                       ("港のクレーンはどう動く？", "港のクレーンはどう動く？")])
def test_full_width_signs_are_kept_only_in_cjk_headlines(h1, title):
    assert _title_of(f"<title>{h1}</title>", f"<h1>{h1}</h1>") == title
