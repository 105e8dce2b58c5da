"""The documentation says what the code does: every command and every option of the
``newsarchive`` command is documented in README.md or docs/."""

from __future__ import annotations

from fixture_sites import REPO

from crawler.cli import cli


def documentation() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))])


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"newsarchive {name}" not in readme]
    assert missing == []


def test_every_option_of_every_command_is_documented():
    docs = documentation()
    missing = [f"{name} {option}" for name, command in cli.commands.items() for param in command.params
               for option in param.opts if option.startswith("--") and option not in docs]
    assert missing == []
