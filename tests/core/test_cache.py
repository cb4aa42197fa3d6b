"""Figures are computed once and again after the write that changes them."""

import pytest
from django.db import transaction

from apps.core.cache import cached_figures, cached_figures_many, figures_changed

pytestmark = pytest.mark.django_db(transaction=True)


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_kept_until_a_write_of_its_topic_commits():
    calls, compute = counter()
    assert cached_figures("totals:park", ["contracts"], compute) == 1
    assert cached_figures("totals:park", ["contracts"], compute) == 1
    with transaction.atomic():
        figures_changed("contracts")
        assert cached_figures("totals:park", ["contracts"], compute) == 2, "the writer reads its own write"
    assert cached_figures("totals:park", ["contracts"], compute) == 3, "and again after the commit"
    assert cached_figures("totals:park", ["contracts"], compute) == 3
    assert len(calls) == 3


def test_other_topics_are_left_alone():
    calls, compute = counter()
    cached_figures("x", ["contracts", "mediation"], compute)
    figures_changed("certification")
    assert cached_figures("x", ["contracts", "mediation"], compute) == 1
    figures_changed("mediation")
    assert cached_figures("x", ["contracts", "mediation"], compute) == 2


def test_many_figures_recompute_only_the_stale_ones_in_one_call():
    asked: list[list[str]] = []
    version = {"n": 0}

    def compute(names):
        asked.append(sorted(names))
        version["n"] += 1
        return {name: f"{name}@{version['n']}" for name in names if name != "empty"}

    entries = {
        "a": ("part:a", ["group:a", "registry"]),
        "b": ("part:b", ["group:b", "registry"]),
        "empty": ("part:empty", ["group:empty", "registry"]),
    }
    assert cached_figures_many(entries, compute) == {"a": "a@1", "b": "b@1", "empty": None}
    assert cached_figures_many(entries, compute) == {"a": "a@1", "b": "b@1", "empty": None}
    figures_changed("group:b")
    assert cached_figures_many(entries, compute) == {"a": "a@1", "b": "b@2", "empty": None}
    figures_changed("registry")  # a topic they share: all of them again, in one call
    assert cached_figures_many(entries, compute)["a"] == "a@3"
    assert asked == [["a", "b", "empty"], ["b"], ["a", "b", "empty"]]
