"""Which pages are articles: small pages written for these tests, in several languages and
scripts — shops and landing pages that print og:type article, forum threads, service pages with
no story — refused with a named rule, while stories without a date or a byline stay archived."""

from __future__ import annotations

import html
import json

import pytest

from pipelines import pagekind
from pipelines.explain import explain, report
from pipelines.extract import ExtractOptions, extract_page

OPTIONS = ExtractOptions(site="example", domains=("example.com",))


def jsonld(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", **fields})}</script>'


def page(blocks: list[str], *, title: str, head: str = "", lang: str = "en") -> bytes:
    """A page whose main column holds ``blocks`` (HTML), with a site header and footer."""
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
{head}</head><body><header><a href="/">Example</a><nav><a href="/a/">A</a> <a href="/b/">B</a></nav></header>
<main><h1>{html.escape(title)}</h1>{''.join(blocks)}</main>
<footer><p>Example Ltd, 1 Quay Street.</p></footer></body></html>""".encode()


def paragraphs(texts: list[str]) -> list[str]:
    return [f"<p>{html.escape(t)}</p>" for t in texts]


def extract(body: bytes, url: str) -> dict:
    return extract_page(body, url, OPTIONS, "text/html; charset=utf-8")


GUIDE = [
    "Pruning a fruit tree in late winter, while it is still dormant, lets you see the shape of the branches "
    "and gives the cuts time to close before the sap rises again in spring.",
    "Start with anything dead, damaged or diseased, cutting back to healthy wood just outside the collar where "
    "the branch meets the trunk, and never leave a stub that can rot.",
    "Next remove branches that cross or rub against each other, choosing to keep the one that points outward "
    "and upward, because it will bear fruit in the light rather than in the shade.",
    "Finally thin the crown so that air moves freely through it; most gardeners take out no more than a fifth "
    "of the wood in a single year, since harder pruning provokes a thicket of water shoots.",
]

SERVICE_DE = [
    "<h2>Unsere Leistungen</h2>", "<ul><li>Beratung vor Ort</li><li>Planung und Umsetzung</li>"
    "<li>Wartung rund um die Uhr</li><li>Zertifizierte Fachkräfte</li></ul>",
    "<h2>Warum wir?</h2>", "<p>Über 20 Jahre Erfahrung in der Region.</p>", "<p>Festpreise ohne versteckte Kosten.</p>",
    "<p>Kostenloses Erstgespräch vereinbaren.</p>", "<h2>Jetzt Angebot anfordern</h2>",
    "<p>Rufen Sie uns an oder schreiben Sie uns – wir melden uns innerhalb von 24 Stunden.</p>",
    '<p><a class="btn" href="/kontakt">Kontakt</a> <a class="btn" href="/preise">Preise ansehen</a></p>',
    "<ul><li>Heizung</li><li>Sanitär</li><li>Klima</li><li>Solar</li><li>Wärmepumpen</li><li>Notdienst</li></ul>",
]

# -- markup: what the page says it is -----------------------------------------------------------

def test_a_shop_page_that_prints_og_type_article_is_refused_by_its_product_markup():
    head = '<meta property="og:type" content="article">' + jsonld(
        **{"@type": "Product", "name": "Trail runner 2", "offers": {"@type": "Offer", "price": "129.00"}})
    result = extract(page(paragraphs(GUIDE), title="Trail runner 2", head=head), "https://example.com/product/trail-runner-2/")
    assert result["kind"] == "not-article"
    assert result["detail"].startswith("product markup")


def test_an_undated_blog_post_beside_a_shop_widget_is_kept_at_a_story_s_address():
    # the post's text is prose, the page carries the site's cart button, and no date or author
    blocks = paragraphs(GUIDE) + ['<button class="add-to-cart">Add to cart</button>']
    post = extract(page(blocks, title="How to prune a fruit tree"), "https://example.com/blog/how-to-prune-a-fruit-tree")
    assert post["kind"] == "article"
    shop = extract(page(blocks, title="How to prune a fruit tree"), "https://example.com/shears/pruning")
    assert shop["kind"] == "not-article" and shop["detail"].startswith("shop page")
    # nor under a shop's own path when the address ends in the story's headline
    guide = extract(page(blocks, title="How to prune a fruit tree"),
                    "https://example.com/node/10-easy-steps-to-prune-a-fruit-tree-111")
    assert guide["kind"] == "article"


def test_a_shop_s_cart_button_is_read_in_other_languages():
    # prose about the product, the cart button written in the shop's language, nothing else of a shop
    for lang, button in (("de", "In den Warenkorb"), ("fr", "Ajouter au panier"), ("es", "Añadir al carrito"),
                         ("ja", "カートに入れる"), ("ko", "장바구니 담기"), ("ru", "В корзину")):
        blocks = paragraphs(GUIDE) + [f'<button class="btn">{button}</button>']
        shop = extract(page(blocks, title="Gartenschere", lang=lang), "https://example.com/gartenschere-profi")
        assert shop["kind"] == "not-article" and shop["detail"].startswith("shop page"), lang


def test_a_theme_s_setting_to_show_prices_is_no_shop_but_a_price_tag_is():
    # Squarespace prints "show-product-price" among the classes of every page's <body>
    flag = page(paragraphs(GUIDE), title="Pruning").replace(
        b"<body>", b'<body class="gallery-auto-crop product-list-titles-under show-product-price show-product-item-nav">')
    assert extract(flag, "https://example.com/shears/pruning")["kind"] == "article"
    tag = page(paragraphs(GUIDE) + ['<span class="money product-price">$24</span>'], title="Pruning")
    shop = extract(tag, "https://example.com/shears/pruning")
    assert shop["kind"] == "not-article" and shop["detail"].startswith("shop page")


def test_a_magazine_review_of_a_product_is_kept():
    head = ('<meta property="og:type" content="article"><meta name="author" content="Jane Doe">'
            '<meta property="article:published_time" content="2024-03-05T10:00:00Z">' +
            jsonld(**{"@type": "Product", "name": "Trail runner 2", "review": {"@type": "Review", "author": "Jane Doe"}}))
    result = extract(page(paragraphs(GUIDE), title="Trail runner 2 review", head=head),
                     "https://example.com/reviews/trail-runner-2-review/")
    assert result["kind"] == "article"


def test_an_application_landing_page_in_japanese_is_refused_by_its_markup():
    head = '<meta property="og:type" content="article">' + jsonld(
        **{"@type": "SoftwareApplication", "name": "タスク管理", "applicationCategory": "BusinessApplication"})
    texts = ["チームのタスクをひとつの画面で管理できます。期限の通知、担当者の割り当て、進み具合のグラフを、"
             "すべて無料のプランから使い始めることができます。今すぐ登録して、最初のプロジェクトを作りましょう。"] * 1 + [
        "大きな組織でも、小さなチームでも、同じ使いやすさで、毎日の仕事が速く進むように作られています。"
        "連携できるアプリは二百以上あり、設定は数分で終わります。"]
    result = extract(page(paragraphs(texts), title="タスク管理", head=head, lang="ja"), "https://example.com/ja/app/")
    assert result["kind"] == "not-article"
    assert result["detail"].startswith("offering markup")


def test_a_forum_thread_address_is_refused_even_with_og_type_article():
    head = '<meta property="og:type" content="article">'
    result = extract(page(paragraphs(GUIDE), title="Best way to prune an apple tree?", head=head),
                     "https://example.com/threads/best-way-to-prune-an-apple-tree.48213/")
    assert result["kind"] == "not-article"
    assert result["detail"].startswith("forum address")


# -- structure: no sign of an article, and no prose ---------------------------------------------

def test_a_service_page_with_no_story_is_refused_and_says_why():
    result = extract(page(SERVICE_DE, title="Heizung und Sanitär in Köln", lang="de"),
                     "https://example.com/leistungen/heizung-sanitaer-koeln/")
    assert result["kind"] == "not-article"
    assert result["detail"].startswith("no sign of an article, not prose")


def test_a_guide_without_date_or_byline_is_kept_because_it_is_prose():
    result = extract(page(paragraphs(GUIDE), title="How to prune a fruit tree"),
                     "https://example.com/learn/how-to-prune-a-fruit-tree/")
    assert result["kind"] == "article"
    assert "water shoots" in result["body"]


SERVICE_PROSE = [
    "Our consultants assess your systems, your people and your processes, and then build a programme that fits "
    "the risks your business actually faces rather than a checklist written for somebody else.",
    "We work alongside your own team from the first workshop to the final report, so that the knowledge stays "
    "with you when the engagement ends and the improvements keep going after we leave.",
    "Every engagement starts with a free consultation in which we listen to your goals, review what you already "
    "have in place and agree on a scope, a timetable and a fixed price before any work begins.",
]


def test_an_unsigned_page_named_like_a_service_is_refused_though_its_text_is_prose():
    result = extract(page(paragraphs(SERVICE_PROSE), title="Cybersecurity Consulting Services"),
                     "https://example.com/services/security/")
    assert result["kind"] == "not-article"
    assert result["detail"].startswith("no sign of an article, named like a thing")
    assert f"under {pagekind.LONG_PARAGRAPHS} long paragraphs" in result["detail"]


def test_a_short_headline_is_kept_when_the_page_states_a_date_or_runs_long():
    head = '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    dated = extract(page(paragraphs(SERVICE_PROSE), title="Cybersecurity Consulting Services", head=head),
                    "https://example.com/services/security/")
    essay = [" ".join(GUIDE[i % 4].split()[::-1]) + f" {word}." for i, word in enumerate("abcdefgh")]
    long_piece = extract(page(paragraphs([GUIDE[i % 4] + " " + essay[i] for i in range(8)]), title="Fruit Tree Care"),
                         "https://example.com/garden/fruit-trees/")
    question = extract(page(paragraphs(SERVICE_PROSE), title="What is consulting?"),
                       "https://example.com/learn/consulting/")
    assert (dated["kind"], long_piece["kind"], question["kind"]) == ("article", "article", "article")


def test_a_dated_page_of_short_lines_is_not_refused_for_its_form():
    # a news brief or a live page: short lines, but a stated date says it is a story
    head = '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    result = extract(page(SERVICE_DE, title="Heizung und Sanitär in Köln", head=head, lang="de"),
                     "https://example.com/leistungen/heizung-sanitaer-koeln/")
    assert result["kind"] == "article"


def test_the_same_short_lines_at_a_story_s_address_are_kept():
    # a news item of short lines with no markup: its address (a news section and the item's
    # number or slug) is sign enough; the section page itself is no such sign
    for url in ("https://example.de/news/0409.html", "https://example.de/nachrichten/heizung-im-winter"):
        assert extract(page(SERVICE_DE, title="Heizung und Sanitär in Köln", lang="de"), url)["kind"] == "article", url
    result = extract(page(SERVICE_DE, title="Heizung und Sanitär in Köln", lang="de"), "https://example.de/news/")
    assert result["kind"] == "not-article"


def test_short_lines_at_an_address_ending_in_a_headline_are_kept():
    # a checklist or a top-ten list: short lines, no markup, but its address names it like a story
    result = extract(page(SERVICE_DE, title="Zehn Tipps für die Heizung im Winter", lang="de"),
                     "https://example.de/ratgeber/zehn-tipps-fuer-die-heizung-im-winter")
    assert result["kind"] == "article"


def test_short_lines_under_a_dateline_written_below_the_headline_are_kept():
    # a club's news item with no markup, byline or story address: the date under its headline is
    # the sign of a story; the same lines without it read as a service page
    lines = ["<p>Warm war es ... schön war es ...</p>", "<p>Unser Sommerfest am Vereinsheim</p>",
             "<p>Über 200 Gäste, Kuchen und Musik bis spät</p>", "<p>Danke an alle Helfer!</p>",
             "<p>Die Jugend gewann das Turnier der Nachbarvereine im Elfmeterschießen</p>",
             "<p>Der Grill lief ab Mittag, die Hüpfburg bis zum Abend</p>",
             "<ul><li>Fotos: Vorstand</li><li>Bericht: Jugendabteilung</li><li>Nächster Termin im Juli</li>"
             "<li>Aufbau ab 9 Uhr am Samstag</li></ul>"]
    url = "https://example.de/verein/items/warm-war-es.html"
    dated = extract(page(["<p>10.06.2018 22:00</p>"] + lines, title="Sommerfest", lang="de"), url)
    assert dated["kind"] == "article" and dated["published"].startswith("2018-06-10"), dated
    undated = extract(page(lines, title="Sommerfest", lang="de"), url)
    assert undated["kind"] == "not-article" and undated["detail"].startswith("no sign of an article")


def test_prose_is_told_in_scripts_without_spaces_or_sentence_stops():
    japanese = ["剪定は冬の終わり、木がまだ眠っているうちに行うと、枝の形がよく見え、春に樹液が動き出す前に切り口が"
                "ふさがります。まず枯れた枝や傷んだ枝を、幹との付け根のすぐ外側で切り落とします。"] * 3
    thai = ["การตัดแต่งกิ่งไม้ผลในช่วงปลายฤดูหนาวขณะที่ต้นไม้ยังพักตัวอยู่ช่วยให้มองเห็นรูปทรงของกิ่งได้ชัดเจน"
            "และทำให้รอยตัดมีเวลาสมานก่อนที่น้ำเลี้ยงจะไหลเวียนอีกครั้งในฤดูใบไม้ผลิ เริ่มจากกิ่งที่ตายหรือเสียหาย"] * 3
    for texts, lang in ((japanese, "ja"), (thai, "th")):
        result = extract(page(paragraphs([f"{t} ({i})" if lang == "th" else t + "（" + str(i) + "）。"
                                          for i, t in enumerate(texts)]), title="剪定", lang=lang),
                         "https://example.com/guide/pruning/")
        assert result["kind"] == "article", (lang, result)


def test_explain_names_the_rule_and_shows_the_prose_measure():
    lines = report(explain(page(SERVICE_DE, title="Heizung und Sanitär in Köln", lang="de"),
                           "https://example.com/leistungen/heizung-sanitaer-koeln/"))
    text = "\n".join(lines)
    assert "no sign of an article, not prose" in text
    assert "of the words in running sentences" in text


# -- bodies: tables are part of the story ---------------------------------------------------------

def test_a_table_in_a_story_is_kept_in_the_body():
    table = ("<table><tr><th>Rank</th><th>School</th><th>Score</th></tr>"
             "<tr><td>1</td><td>Northfield Business School</td><td>98</td></tr>"
             "<tr><td>2</td><td>Lakeside Institute of Management</td><td>95</td></tr></table>")
    head = '<meta property="og:type" content="article"><meta property="article:published_time" content="2024-03-05">'
    blocks = paragraphs(GUIDE[:2]) + [table] + paragraphs(GUIDE[2:])
    result = extract(page(blocks, title="The 2024 rankings", head=head), "https://example.com/2024/03/05/rankings/")
    assert result["kind"] == "article"
    assert "Lakeside Institute of Management" in result["body"]


# -- markup: manuals, firms, shops that print article signs ----------------------------------------

def test_a_manual_page_with_a_build_date_and_techarticle_markup_is_refused_at_a_docs_address():
    head = ('<meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2024-03-05T10:00:00Z">' +
            jsonld(**{"@type": "TechArticle", "headline": "Zeitpläne einrichten", "datePublished": "2024-03-05"}))
    result = extract(page(paragraphs(GUIDE), title="Zeitpläne einrichten", head=head, lang="de"),
                     "https://example.com/docs/handbuch/zeitplaene/")
    assert result["kind"] == "not-article"
    assert result["detail"].startswith("documentation URL")


def test_a_dated_news_article_at_a_docs_address_is_kept():
    head = jsonld(**{"@type": "NewsArticle", "headline": "Release notes", "datePublished": "2024-03-05"})
    result = extract(page(paragraphs(GUIDE), title="Release notes", head=head), "https://example.com/docs/release-notes/")
    assert result["kind"] == "article"


def test_a_local_business_page_is_refused_by_its_markup_even_with_og_type_article():
    head = '<meta property="og:type" content="article">' + jsonld(
        **{"@type": "Plumber", "name": "Rørlegger Hansen", "telephone": "+47 22 00 00 00"})
    result = extract(page(paragraphs(GUIDE), title="Rørlegger i Oslo", head=head, lang="no"),
                     "https://example.com/rorlegger-oslo/")
    assert result["kind"] == "not-article"
    assert result["detail"].startswith("business markup")


def test_a_dated_blog_post_of_a_local_business_is_kept():
    head = ('<meta property="article:published_time" content="2024-03-05T10:00:00Z">' +
            jsonld(**{"@type": "LocalBusiness", "name": "Garden Care Ltd"}))
    result = extract(page(paragraphs(GUIDE), title="How to prune a fruit tree", head=head),
                     "https://example.com/pruning-fruit-trees/")
    assert result["kind"] == "article"


def test_a_shop_product_page_with_a_cms_date_and_a_customer_review_name_is_refused():
    # shop CMSs print og:type article and a date on every page; a customer review credits a name
    product = {"@type": "Product", "name": "Trail runner 2", "offers": {"@type": "Offer", "price": "129.00"}}
    dated = ('<meta property="og:type" content="article">'
             '<meta property="article:published_time" content="2024-03-05T10:00:00Z">' + jsonld(**product))
    credited = ('<meta property="og:type" content="article"><meta name="author" content="Jane Doe">' +
                jsonld(**product))
    for head in (dated, credited):
        result = extract(page(paragraphs(GUIDE), title="Trail runner 2", head=head),
                         "https://example.com/product/trail-runner-2/")
        assert result["kind"] == "not-article"
        assert result["detail"].startswith("product markup")


@pytest.mark.parametrize("url", ["https://example.com/pricing/what-does-an-electrician-cost-per-hour/",
                                 "https://example.com/pricing/what-does-an-electrician-cost-per-hour/item12708"])
def test_a_guide_on_a_local_business_site_whose_address_is_a_headline_is_kept(url):
    # the headline may be followed by the CMS's id for the page
    head = '<meta property="og:type" content="article">' + jsonld(**{"@type": "Electrician", "name": "Volt & Co"})
    result = extract(page(paragraphs(GUIDE), title="What an electrician costs", head=head), url)
    assert result["kind"] == "article"


def test_a_developer_site_s_reference_page_is_refused_and_its_story_kept():
    head = jsonld(**{"@type": "TechArticle", "headline": "Resource blocks", "datePublished": "2024-03-05"})
    result = extract(page(paragraphs(GUIDE), title="Resource blocks", head=head),
                     "https://developer.example.com/language/resource-blocks")
    assert result["kind"] == "not-article" and result["detail"].startswith("documentation URL")
    story = extract(page(paragraphs(GUIDE), title="Stanford's new course"),
                    "https://developers.example.com/story/25/12/19/236259/stanfords-new-course")
    assert story["kind"] == "article"


def test_a_glossary_entry_is_refused_as_reference():
    result = extract(page(paragraphs(GUIDE), title="Pruning", head='<meta property="og:type" content="article">'),
                     "https://example.com/glossary/pruning/")
    assert result["kind"] == "not-article" and result["detail"].startswith("documentation URL")


def test_a_forum_thread_named_in_the_query_is_refused():
    result = extract(page(paragraphs(GUIDE), title="Pruning an apple tree?"),
                     "https://example.com/community/index.php?topic=589061.0")
    assert result["kind"] == "not-article" and result["detail"].startswith("forum address")


def test_a_single_story_under_a_topics_address_is_kept_and_a_topic_front_is_not():
    url = "https://example.gov/topics/orchards/pruning-trees"
    story = page(["<article>" + "".join(paragraphs(GUIDE)) + "</article>"], title="Pruning fruit trees")
    assert extract(story, url)["kind"] == "article"
    cards = [f'<article><h2><a href="/s/{i}">Story {i}</a></h2><p>{GUIDE[i % 4]}</p></article>' for i in range(6)]
    front = extract(page(cards, title="Orchards"), url)
    assert front["kind"] == "not-article" and front["detail"] == "navigation URL"


# -- listings: a section's front ------------------------------------------------------------------

def test_a_section_s_front_address_is_a_listing_whatever_og_type_it_prints():
    head = '<meta property="og:type" content="article">'
    for url in ("https://example.com/en/news", "https://example.com/aktuelles/", "https://example.com/blog/",
                "https://example.com/noticias"):
        result = extract(page(paragraphs(GUIDE), title="News", head=head), url)
        assert (result["kind"], result["reason"], result["detail"]) == ("not-article", "listing", "section address"), url


def test_a_story_past_a_section_s_address_or_routed_by_its_fragment_stays_an_article():
    head = '<meta property="og:type" content="article">'
    for url in ("https://example.com/news/how-to-prune-a-fruit-tree", "https://example.com/presse/aktuell#!/news/pruning"):
        assert extract(page(paragraphs(GUIDE), title="How to prune", head=head), url)["kind"] == "article", url


def test_a_category_or_tag_address_is_a_listing_even_with_og_type_article():
    head = '<meta property="og:type" content="article">'
    for url in ("https://example.com/category/recipes/air-fryer/", "https://example.de/kategorie/garten/",
                "https://example.com/tag/pruning-fruit-trees/", "https://example.com/list/show/1.Best_Books_Ever",
                "https://example.com/sections/science/", "https://example.es/secciones/ciencia/"):
        result = extract(page(paragraphs(GUIDE), title="Air fryer", head=head), url)
        assert (result["kind"], result["detail"]) == ("not-article", "category address"), url
    dated = extract(page(paragraphs(GUIDE), title="Pruning", head=head), "https://example.com/tag/garden/2024/03/05/pruning")
    assert dated["kind"] == "article"
    # a story filed under a section with its date, and a magazine's list (a listicle) at /lists/
    for url in ("https://example.com/sections/health/2022/11/09/1135211525/anxiety-and-meditation",
                "https://example.com/lists/best-songs-of-the-year/"):
        assert extract(page(paragraphs(GUIDE), title="Pruning", head=head), url)["kind"] == "article", url


# -- addresses: a firm's offer ----------------------------------------------------------------------

OG_ARTICLE = '<meta property="og:type" content="article">'


@pytest.mark.parametrize("url, lang", [("https://example.com/services/cloud-migration/", "en"),
                                       ("https://example.fr/nos-prestations/prestations/migration-cloud/", "fr"),
                                       ("https://example.de/leistungen/cloud-migration", "de"),
                                       ("https://example.com/what-we-do/cloud-migration.html", "en")])
def test_a_page_filed_under_the_firm_s_offer_is_refused_whatever_og_type_it_prints(url, lang):
    result = extract(page(paragraphs(SERVICE_PROSE), title="Cloud migration for growing firms", head=OG_ARTICLE,
                          lang=lang), url)
    assert result["kind"] == "not-article" and result["detail"].startswith("offer's address"), result


def test_a_story_filed_under_the_firm_s_offer_is_kept_when_it_gives_a_sign():
    url = "https://example.com/services/cloud-migration/"
    dated = OG_ARTICLE + '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    credited = OG_ARTICLE + '<meta name="author" content="Jane Doe">'
    for head, title in ((dated, "Cloud migration for growing firms"), (credited, "Cloud migration for growing firms"),
                        (OG_ARTICLE, "What is a cloud migration?")):
        assert extract(page(paragraphs(SERVICE_PROSE), title=title, head=head), url)["kind"] == "article", head
    # a story's address or a headline in the address is sign enough
    for url in ("https://example.com/services/news/cloud-migration-2024",
                "https://example.com/services/how-we-moved-a-bank-to-the-cloud/"):
        assert extract(page(paragraphs(SERVICE_PROSE), title="Cloud migration for growing firms", head=OG_ARTICLE),
                       url)["kind"] == "article", url


# -- the page's build: a documentation generator ------------------------------------------------------

@pytest.mark.parametrize("generator", ["Docusaurus v3.5.2", "mkdocs-1.6.1, mkdocs-material-9.7.1", "Starlight v0.36.0",
                                       "GitBook (aa87699)", "DokuWiki", "Sphinx 7.2.6"])
def test_a_page_built_by_a_documentation_generator_is_refused_at_any_address(generator):
    head = OG_ARTICLE + f'<meta name="generator" content="{generator}">'
    result = extract(page(paragraphs(GUIDE), title="Pruning fruit trees", head=head), "https://example.com/start/pruning")
    assert result["kind"] == "not-article" and result["detail"].startswith("documentation generator"), generator


def test_a_dated_post_of_a_documentation_site_s_blog_and_a_site_generator_s_post_are_kept():
    post = jsonld(**{"@type": "BlogPosting", "headline": "Version 3 is out", "datePublished": "2024-03-05"})
    head = '<meta name="generator" content="Docusaurus v3.5.2">' + post
    assert extract(page(paragraphs(GUIDE), title="Version 3 is out", head=head),
                   "https://example.com/blog/version-3")["kind"] == "article"
    for generator in ("Hugo 0.143.1", "Jekyll v4.4.1", "Astro v5.16.1"):  # blogs are built with these too
        head = f'<meta name="generator" content="{generator}">'
        assert extract(page(paragraphs(GUIDE), title="Pruning fruit trees", head=head),
                       "https://example.com/start/pruning")["kind"] == "article", generator


# -- shape: a landing page of buttons --------------------------------------------------------------

LANDING = ["<p>Hire faster with one inbox.</p>", "<p>Post a role in minutes.</p>", "<p>Screen with AI, not guesswork.</p>",
           "<p>Loved by 10,000 teams worldwide.</p>", "<p>Start free, upgrade when you grow.</p>",
           "<p>Plans for every size of team, from the first hire to the thousandth, billed monthly.</p>"]
BUTTONS = "".join(f'<a class="btn btn-primary" href="/signup?{i}">Start free</a>' for i in range(6)) + \
    "".join(f'<button class="cta-button" type="button">Book a demo {i}</button>' for i in range(5))


def test_a_landing_page_of_buttons_and_short_lines_is_refused_though_it_prints_og_type_article():
    result = extract(page(LANDING + [BUTTONS], title="Hiring software for growing teams", head=OG_ARTICLE),
                     "https://example.com/hiring")
    assert result["kind"] == "not-article" and result["detail"].startswith("landing page"), result


def test_a_story_of_short_lines_among_buttons_is_kept_with_a_date_or_a_credit():
    for head in (OG_ARTICLE + '<meta property="article:published_time" content="2024-03-05T10:00:00Z">',
                 OG_ARTICLE + '<meta name="author" content="Jane Doe">'):
        result = extract(page(LANDING + [BUTTONS], title="Hiring software for growing teams", head=head),
                         "https://example.com/hiring")
        assert result["kind"] == "article", head
    # nor are buttons alone a sign against a story of paragraphs
    result = extract(page(paragraphs(GUIDE) + [BUTTONS], title="Pruning fruit trees", head=OG_ARTICLE),
                     "https://example.com/pruning")
    assert result["kind"] == "article"


# -- shape: a page of cards ------------------------------------------------------------------------

def cards(n: int, lang: str = "en") -> list[str]:
    return [f'<div class="card"><h3><a href="/p/{i}">Produkt {i}</a></h3><p>Ab {i} Euro.</p></div>' if lang == "de"
            else f'<div class="card"><h3><a href="/p/{i}">Recipe {i}</a></h3><p>Ready in {i} minutes.</p></div>'
            for i in range(n)]


def test_a_page_of_linked_cards_is_refused_as_a_listing_though_it_prints_og_type_article():
    for lang in ("en", "de"):
        result = extract(page(paragraphs(GUIDE[:1]) + cards(24, lang), title="Air fryer favourites", head=OG_ARTICLE,
                              lang=lang), "https://example.com/air-fryer-recipes")
        assert result["kind"] == "not-article" and result["detail"].startswith("page of cards"), (lang, result)


def test_a_story_beside_a_rail_of_linked_headlines_is_kept_when_it_gives_a_sign():
    rail = "<aside>" + "".join(cards(24)) + "</aside>"
    head = OG_ARTICLE + '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    assert extract(page(paragraphs(GUIDE) + [rail], title="Air fryer favourites", head=head),
                   "https://example.com/air-fryer-recipes")["kind"] == "article"
    # a story with sections of its own: most of its headings are not links
    sections = [f"<h2>Step {i}</h2><p>{GUIDE[i % 4]}</p>" for i in range(8)]
    assert extract(page(sections + cards(20), title="Air fryer favourites", head=OG_ARTICLE),
                   "https://example.com/air-fryer-recipes")["kind"] == "article"


def test_a_date_in_the_address_keeps_a_page_of_og_type_article_from_the_rules_that_do_not_count_og_type():
    url = "https://example.com/feature/2023-12-19/air-fryer-recipes/.205981"
    result = extract(page(paragraphs(GUIDE[:1]) + cards(24), title="Air fryer favourites", head=OG_ARTICLE), url)
    assert result["kind"] == "article", result


# -- addresses: a product, a list -----------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://www.example.com/Atomic-Habits-Proven-Build-Break/dp/0735211299",
                                 "https://www.example.co.uk/gp/product/B0D1XD1ZV3/ref=ox_sc",
                                 "https://www.example.de/lighting/pdp/bread-stone-x-beaded-cut-16-row-woodland.html",
                                 "https://www.example.fr/itm/256123456789"])
def test_a_marketplace_product_address_is_refused_even_with_og_type_article(url):
    result = extract(page(paragraphs(GUIDE), title="Atomic Habits", head=OG_ARTICLE), url)
    assert result["kind"] == "not-article" and result["detail"].startswith("product address"), url


def test_a_review_at_a_magazine_s_address_or_with_article_markup_is_kept():
    markup = jsonld(**{"@type": "Review", "headline": "Atomic Habits, reviewed", "datePublished": "2024-03-05"})
    head = jsonld(**{"@type": "Article", "headline": "Atomic Habits, reviewed", "datePublished": "2024-03-05"})
    assert extract(page(paragraphs(GUIDE), title="Atomic Habits, reviewed", head=head),
                   "https://www.example.com/books/dp/atomic-habits-reviewed")["kind"] == "article"
    assert extract(page(paragraphs(GUIDE), title="Atomic Habits, reviewed", head=OG_ARTICLE + markup),
                   "https://www.example.com/books/atomic-habits-reviewed-dp")["kind"] == "article"
