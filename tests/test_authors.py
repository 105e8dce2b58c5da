"""Credits as pages in many languages write them: labels, author markup and names in every script."""

from __future__ import annotations

import json

import pytest

from tests.test_metadata_fields import extract, page


@pytest.mark.parametrize("credit, name", [
    ("Автор: Иван Петров", "Иван Петров"),
    ("Текст: Анна Смирнова", "Анна Смирнова"),
    ("Autor: Jan Novák", "Jan Novák"),
    ("Skrevet av Kari Nordmann", "Kari Nordmann"),
    ("Yazar: Ahmet Yılmaz", "Ahmet Yılmaz"),
    ("Escrito por Ana Souza", "Ana Souza"),
    ("文：山田太郎", "山田太郎"),
    ("記者 山田太郎", "山田太郎"),
    ("글 홍길동", "홍길동"),
    ("作者：张三", "张三"),
    ("Nguyễn Văn An", "Nguyễn Văn An"),
])
def test_a_credit_label_in_any_language_is_not_part_of_the_name(credit, name):
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x",
                     "author": {"@type": "Person", "name": credit}}, ensure_ascii=False)
    head = f'<script type="application/ld+json">{ld}</script>'
    assert extract(page(head=head))["authors"] == [name]


@pytest.mark.parametrize("markup", [
    '<div class="artikkel-forfatter"><a href="/forfatter/kari-nordmann">Kari Nordmann</a></div>',
    '<span class="autor-name">Kari Nordmann</span>',
    '<p><a href="/autoren/kari-nordmann">Kari Nordmann</a></p>',
])
def test_author_markup_named_in_other_languages_is_a_byline(markup):
    assert extract(page(before=markup))["authors"] == ["Kari Nordmann"]


@pytest.mark.parametrize("markup", [
    '<div class="byline">Tekst: Kari Nordmann Foto: Ola Berg</div>',
    '<div class="byline">Text: Kari Nordmann / Fotos: Ola Berg</div>',
])
def test_a_photo_credit_run_on_after_the_writer_goes(markup):
    assert extract(page(before=markup))["authors"] == ["Kari Nordmann"]


def test_a_chinese_writer_label_before_the_name_is_a_credit():
    assert extract(page(before='<div class="info">撰文：王小明</div>'))["authors"] == ["王小明"]


def test_an_editor_behind_a_full_width_colon_is_not_the_writer():
    assert extract(page(before='<div class="author">责任编辑：张三</div>'))["authors"] == []


@pytest.mark.parametrize("markup", [
    "<p>By signing up, you agree to our terms and our privacy policy.</p>",
    '<p class="pricing-table-byline">billed annually, or $50 / mo billed monthly</p>',
    '<h3 id="authorization">Authorization Forms</h3>',
    '<div class="feature-authorization"><a href="/features">Authorization Boost</a></div>',
])
def test_running_text_in_byline_places_credits_nobody(markup):
    assert extract(page(before=markup))["authors"] == []


@pytest.mark.parametrize("markup", [
    '<div class="testimonial"><p>"They changed how we work."</p><span class="author">Michelle Lin</span></div>',
    '<div class="Quote"><p>"Five stars."</p><span class="Quote__author">Michelle Lin</span></div>',
    '<blockquote><p>"Five stars."</p><cite class="author">Michelle Lin</cite></blockquote>',
])
def test_the_person_a_testimonial_or_quote_credits_is_not_the_writer(markup):
    assert extract(page(before=markup))["authors"] == []


def test_a_writer_is_still_credited_beside_a_testimonial():
    markup = ('<div class="byline">By Jane Doe</div>'
              '<div class="testimonial"><p>"Five stars."</p><span class="author">Michelle Lin</span></div>')
    assert extract(page(before=markup))["authors"] == ["Jane Doe"]


@pytest.mark.parametrize("wrapper", ['<form id="aspnetForm" action="/story">', '<nav class="page">'])
def test_a_byline_inside_a_wrapper_of_the_whole_page_is_a_credit(wrapper):
    # an ASP.NET page wraps everything in one <form>; a <nav> left unclosed swallows the page: the
    # wrapper holds the headline, so it is no menu or form the credit could belong to
    tag = wrapper[1:wrapper.index(" ")]
    body = page(before='<p class="meta"><a href="/articles/authors/jane-doe">Jane Doe</a></p>').decode()
    body = body.replace("<body>", f"<body>{wrapper}").replace("</body>", f"</{tag}></body>")
    assert extract(body.encode())["authors"] == ["Jane Doe"]


def test_a_credit_in_a_sidebar_form_is_still_not_the_writer():
    sidebar = '<form class="subscribe"><a href="/authors/jane-doe">Jane Doe</a> picks the week</form>'
    assert extract(page(after=sidebar))["authors"] == []
