"""Scoring extracted articles against hand-made ground truth (the method of the public
extraction benchmarks; see ../shared/corpus/README.md)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def page_scores(extracted: str, truth: str) -> tuple[float, float, float]:
    """(tp, fp, fn) shares of one page, normalized by their sum."""
    got, want = shingles(extracted), shingles(truth)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (1.0, 0.0, 0.0)


def body_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    """Mean precision and recall over pages, and their harmonic mean (F1)."""
    if not pairs:
        return 0.0, 0.0, 0.0
    precisions, recalls = [], []
    for extracted, truth in pairs:
        tp, fp, fn = page_scores(extracted, truth)
        precisions.append(tp / (tp + fp) if tp + fp else 0.0)
        recalls.append(tp / (tp + fn) if tp + fn else 0.0)
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def same_day(got: str | None, want: str | None) -> bool:
    """Same calendar day, allowing ±1 for time zones."""
    if not got or not want:
        return False
    try:
        a, b = date.fromisoformat(got[:10]), date.fromisoformat(want[:10])
    except ValueError:
        return False
    return abs((a - b).days) <= 1
