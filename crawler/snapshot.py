"""The daemon's copy of the last config it accepted: crawl children read that copy, so an edit
in progress never reaches them. This module never imports Scrapy."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from crawler.config import Config, ConfigError, load_config

SNAPSHOT_NAME = "daemon-config.toml"


def write_snapshot(config_path: str, target: Path) -> Config:
    """Load the config and keep a copy of exactly the bytes that passed validation at ``target``."""
    try:
        raw = Path(config_path).read_bytes()
    except OSError as exc:
        raise ConfigError(config_path, f"cannot read config ({exc.strerror or exc})") from None
    config = load_config(config_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(raw)
    try:
        same = replace(load_config(partial), path=config.path) == config
    except ConfigError:
        same = False
    if not same:
        partial.unlink(missing_ok=True)
        raise ConfigError(config_path, "the file changed while it was read; try again")
    os.replace(partial, target)
    return config
