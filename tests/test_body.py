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


def test_a_data_table_whose_rows_start_with_dates_is_kept_with_the_story():
    from pipelines.extract import ExtractOptions, extract_page

    rows = "".join(f"<tr><td>{month}/1/2024</td><td>+{month + 3}.{month}%</td></tr>" for month in range(1, 13))
    story = "".join(f"<p>{text}</p>" for text in (
        "Home prices rose again in the spring, the county's records show, after two years in which sales had "
        "slowed almost everywhere in the region.",
        "The table below gives the change in the median sale price against the same month a year earlier, as "
        "the county's assessor published it for each month of the year.",
        "Economists at the state university said the figures point to a market that has adjusted to higher "
        "mortgage rates rather than one that is about to turn."))
    page = (f"<html><head><title>Home prices by month</title></head><body><main><article><h1>Home prices by month</h1>"
            f"{story}<table><thead><tr><th>Month</th><th>Change</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p>The assessor's office will publish next year's figures in February, it said.</p></article></main>"
            f"</body></html>").encode()
    out = extract_page(page, "https://example.org/research/home-prices",
                       ExtractOptions(site="example.org", domains=("example.org",)), "text/html")
    assert out["kind"] == "article", out
    assert "| 1/1/2024 | +4.1% |" in out["body"] and "| 12/1/2024 | +15.12% |" in out["body"], out["body"]
    assert not boilerplate.is_furniture("| 3/1/2024 | +6.3% |") and boilerplate.is_dateline("Sunday 17 December 2023")


def test_a_question_in_the_story_is_not_the_comment_section_heading():
    story = [f"Paragraph {i} of the story tells how the boot loader learned to speak to the serial console, "
             "and how every speed was tested by hand." for i in range(6)]
    asked = story[:4] + ["Comments?"] + story[4:]
    assert boilerplate.trim_tail(asked) == asked
    heading = story[:4] + ["Comments (3)"] + story[4:]
    assert boilerplate.trim_tail(heading) == story[:4]
