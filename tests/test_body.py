"""Body reading: the paragraph tests of pipelines/boilerplate.py and extract_body."""

from pipelines import boilerplate


def test_foreign_pitch_found_mid_paragraph_in_any_case():
    # the language vocabularies are one compiled pattern: a phrase of any language, anywhere in
    # the paragraph and in any case, gives it away
    assert boilerplate.is_pitch("Jetzt Newsletter Abonnieren und nichts verpassen")
    assert boilerplate.is_pitch("이 기사는 무단전재 및 재배포 금지 입니다")
    assert not boilerplate.is_pitch("Der Stadtrat hat am Dienstag den Haushalt beschlossen.")


def test_paragraph_tests_are_worked_out_once_per_text():
    text = "A paragraph measured by several rules of one page, each asking again."
    boilerplate.words(text)
    hits = boilerplate.words.cache_info().hits
    boilerplate.words(text)
    assert boilerplate.words.cache_info().hits == hits + 1
    assert isinstance(boilerplate.shingles(text), frozenset)  # shared between callers: not to be changed
