"""Every setting a user can write in ``sites.toml`` is documented where users look for it (the
README and the header of the shipped ``sites.toml``), with the default the code uses."""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from pathlib import Path

from crawler.config import Daemon, Site
from pipelines.extract import ExtractOptions

ROOT = Path(__file__).resolve().parents[1]
SITE_KEYS = [f.name for f in fields(Site) if f.name != "name"]
DAEMON_KEYS = [f.name for f in fields(Daemon)]


def _header(path: Path) -> str:
    lines = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines)


def test_readme_documents_every_key():
    readme = (ROOT / "README.md").read_text()
    missing = [k for k in SITE_KEYS + DAEMON_KEYS if f"`{k}`" not in readme and not re.search(rf"^{k} = ", readme, re.M)]
    assert missing == []


def test_sites_toml_header_documents_every_site_key():
    header = _header(ROOT / "sites.toml")
    assert [k for k in SITE_KEYS if not re.search(rf"\b{k}\b", header)] == []


def test_readme_states_the_defaults_the_code_uses():
    readme = (ROOT / "README.md").read_text()
    wrong = {}
    for f in fields(Site):
        stated = re.search(rf"`{f.name}` \(([\d.]+)(?: ?(?:s|MB))?[,)]", readme)
        if stated and f.default is not MISSING and isinstance(f.default, (int, float)) and f.name != "max_bytes":
            if float(stated.group(1)) != float(f.default):
                wrong[f.name] = (stated.group(1), f.default)
    assert wrong == {}


def test_one_default_word_floor_for_crawl_and_extraction():
    assert Site(name="x", url="https://example.com/").min_words == ExtractOptions(site="x", domains=()).min_words
