"""Sites as data: a broken sites.toml stops ``newsarchive crawl`` with one message naming the file,
the site and the key (never a traceback); a good one loads with its defaults."""

from __future__ import annotations

import pytest

from crawler.config import ConfigError, load_config
from fixture_sites import REPO, newsarchive

GOOD_SITE = '[sites.geekwire]\nurl = "https://www.geekwire.com/"\n'

BROKEN = {
    "toml-syntax": ('[sites.geekwire]\nurl = "https://www.geekwire.com/\nfeeds = []\n', "geekwire", "url",
                    "TOML syntax error"),
    "unknown-key": (GOOD_SITE + 'feedz = ["https://www.geekwire.com/feed/"]\n', "geekwire", "feedz",
                    "unknown key"),
    "bad-regex": (GOOD_SITE + 'allow = ["/20[0-9{2}/"]\n', "geekwire", "allow", "bad regex"),
    "bad-cron": (GOOD_SITE + 'schedule = "61 * * * *"\n', "geekwire", "schedule", "bad cron"),
    "cron-fields": (GOOD_SITE + 'schedule = "every hour"\n', "geekwire", "schedule", "5 fields"),
    "missing-url": ('[sites.geekwire]\nfeeds = ["https://www.geekwire.com/feed/"]\n', "geekwire", "url",
                    "missing"),
    "bad-url": ('[sites.geekwire]\nurl = "www.geekwire.com"\n', "geekwire", "url", "not an http"),
    "bad-number": (GOOD_SITE + 'delay = "fast"\n', "geekwire", "delay", "number"),
    "negative-concurrency": (GOOD_SITE + "concurrency = -1\n", "geekwire", "concurrency", "from 1 to 64"),
    "huge-concurrency": (GOOD_SITE + "concurrency = 100000000\n", "geekwire", "concurrency", "from 1 to 64"),
    "never-fires": (GOOD_SITE + 'schedule = "0 0 30 2 *"\n', "geekwire", "schedule", "never fires"),
    "second-site": (GOOD_SITE + '\n[sites.verge]\nurl = "https://www.theverge.com/"\ndeny = ["(unclosed"]\n',
                    "verge", "deny", "bad regex"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_config_stops_crawl_with_one_message_naming_file_site_and_key(tmp_path, case):
    text, site, key, what = BROKEN[case]
    config = tmp_path / "my-sites.toml"
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "archive.db"
    result = newsarchive("crawl", "--config", str(config), "--db", str(db), timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    message = lines[0]
    assert str(config) in message and f"[sites.{site}]" in message and f"'{key}'" in message, message
    assert what.lower() in message.lower(), message
    assert not db.exists(), "a config error must not create the archive"


def test_missing_config_file_is_a_clear_error(tmp_path):
    result = newsarchive("crawl", "--config", str(tmp_path / "nowhere.toml"), "--db", str(tmp_path / "a.db"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "nowhere.toml" in result.stderr and "cannot read" in result.stderr


def test_bad_cron_in_defaults_names_the_defaults_key(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[defaults]\nschedule = "*/5 * * *"\n\n' + GOOD_SITE, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert caught.value.site == "geekwire" and caught.value.key == "defaults.schedule"


def test_defaults_apply_and_sites_override_them(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text(
        '[defaults]\ndelay = 3\nuser_agent = "ExampleBot/1.0"\n\n'
        + GOOD_SITE + 'feeds = "https://www.geekwire.com/feed/"\ndelay = 0.5\n\n'
        '[sites.verge]\nurl = "https://www.theverge.com/"\nschedule = "0 * * * 1-5"\n', encoding="utf-8")
    sites = load_config(config).sites
    assert list(sites) == ["geekwire", "verge"]
    assert sites["geekwire"].feeds == ("https://www.geekwire.com/feed/",)
    assert sites["geekwire"].delay == 0.5 and sites["verge"].delay == 3.0
    assert sites["verge"].user_agent == "ExampleBot/1.0" and sites["verge"].schedule == "0 * * * 1-5"
    assert sites["geekwire"].allowed_domains == ("geekwire.com",)


def test_shipped_sites_toml_has_ten_tech_news_sites_geekwire_first():
    config = load_config(REPO / "sites.toml")
    names = list(config.sites)
    assert len(names) >= 10 and names[0] == "geekwire"
    for site in config.sites.values():
        assert site.url.startswith("https://")
        assert site.feeds or site.sitemaps, f"{site.name}: give the feed or sitemap URLs the site publishes"


def test_a_broken_table_header_is_blamed_on_its_own_table_not_the_one_before(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[sites.a]\nurl = "https://a.example/"\n\n[sites.b\nurl = "https://b.example/"\n',
                      encoding="utf-8")
    result = newsarchive("crawl", "--config", str(config), "--db", str(tmp_path / "archive.db"), timeout=60)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "[sites.b]" in result.stderr and "[sites.a]" not in result.stderr, result.stderr
    assert "line 4" in result.stderr, result.stderr


def test_zero_concurrency_is_refused_with_the_range_that_is_accepted(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text(GOOD_SITE + "concurrency = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert "from 1 to 64" in str(caught.value) and ">= 0" not in str(caught.value)


def test_a_config_without_sites_is_an_error_not_a_silent_success(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text("[defaults]\ndelay = 2\n", encoding="utf-8")
    db = tmp_path / "archive.db"
    result = newsarchive("crawl", "--config", str(config), "--db", str(db), timeout=60)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no sites" in result.stderr and str(config) in result.stderr
    assert not db.exists()
