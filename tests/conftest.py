"""Shared fixtures: one pool of fixture web servers per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_sites import ServerPool  # noqa: E402


@pytest.fixture(scope="session")
def servers():
    pool = ServerPool()
    yield pool
    pool.close()
