"""Figures are computed once and again after the write that changes them."""

import pytest
from django.db import transaction

from apps.core.cache import cached_figures, figures_changed

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
