"""Counting and paging lists without scanning them whole."""

import pytest

from apps.core.pagination import (
    CountingPaginator,
    InvalidCursor,
    KeysetPaginator,
    count_rows,
    planner_estimate,
)
from tests.testapp.models import Case

pytestmark = pytest.mark.django_db

ORDER = ["-workers", "title", "-pk"]


@pytest.fixture
def cases():
    Case.objects.bulk_create(Case(title=f"case {i:02}", workers=i % 7) for i in range(41))
    return list(Case.objects.order_by(*ORDER))


def walk_forward(qs, per_page=5):
    paginator = KeysetPaginator(qs, ORDER, per_page)
    page, seen, pages = paginator.page(), [], 0
    while True:
        seen.extend(page.object_list)
        pages += 1
        if not page.has_next:
            return seen, pages
        page = paginator.page(after=page.next_cursor)


def test_walking_forward_visits_every_row_once_in_order(cases):
    seen, pages = walk_forward(Case.objects.all())
    assert seen == cases
    assert pages == 9


def test_walking_back_returns_the_previous_pages(cases):
    paginator = KeysetPaginator(Case.objects.all(), ORDER, 5)
    first = paginator.page()
    second = paginator.page(after=first.next_cursor)
    third = paginator.page(after=second.next_cursor)
    back = paginator.page(before=third.previous_cursor)
    assert back.object_list == second.object_list
    assert back.has_previous and back.has_next
    assert paginator.page(before=second.previous_cursor).object_list == first.object_list
    assert not paginator.page(before=second.previous_cursor).has_previous


def test_rows_inserted_during_a_walk_neither_repeat_nor_hide_others(cases):
    paginator = KeysetPaginator(Case.objects.all(), ORDER, 5)
    first = paginator.page()
    Case.objects.create(title="aaa new", workers=99)  # sorts before everything already shown
    rest, _ = [], None
    page = paginator.page(after=first.next_cursor)
    while True:
        rest.extend(page.object_list)
        if not page.has_next:
            break
        page = paginator.page(after=page.next_cursor)
    assert first.object_list + rest == cases


def test_a_junk_cursor_is_refused():
    paginator = KeysetPaginator(Case.objects.all(), ORDER, 5)
    for junk in ["x", "!!!", "W10", "WyJhIiwiYiIsImMiXQ", "eyJhIjogMX0"]:
        with pytest.raises(InvalidCursor):
            paginator.page(after=junk)


def test_the_ordering_must_end_with_the_primary_key():
    with pytest.raises(ValueError, match="primary key"):
        KeysetPaginator(Case.objects.all(), ["-workers"], 5)


def test_counts_are_exact_up_to_the_cap_then_estimated(cases):
    assert count_rows(Case.objects.all(), cap=100) == (41, True)
    assert count_rows(Case.objects.filter(workers=3), cap=100) == (6, True)
    rows, exact = count_rows(Case.objects.all(), cap=10)
    assert not exact and rows >= 11
    assert planner_estimate(Case.objects.all()) >= 1


def test_the_page_paginator_never_counts_past_the_cap(cases, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr("apps.core.pagination.EXACT_COUNT_CAP", 10)
    paginator = CountingPaginator(Case.objects.order_by(*ORDER), 5)
    with django_assert_num_queries(2):  # the bounded count, then EXPLAIN
        assert paginator.count >= 11
    assert paginator.count_is_estimate
    assert list(paginator.page(2).object_list) == cases[5:10]


def test_a_uniform_order_walks_by_row_comparison_as_the_mixed_one_does(cases):
    uniform = ["-workers", "-title", "-pk"]
    paginator = KeysetPaginator(Case.objects.all(), uniform, 6)
    page, seen = paginator.page(), []
    while True:
        seen.extend(page.object_list)
        if not page.has_next:
            break
        page = paginator.page(after=page.next_cursor)
    assert seen == list(Case.objects.order_by(*uniform))
    back = paginator.page(before=paginator.page(after=paginator.page().next_cursor).previous_cursor)
    assert back.object_list == list(Case.objects.order_by(*uniform)[:6])


def test_deep_numbered_pages_read_their_keys_first(cases, monkeypatch):
    monkeypatch.setattr("apps.core.pagination.DEFERRED_JOIN_FROM", 5)
    paginator = CountingPaginator(Case.objects.order_by(*ORDER), 5)
    assert list(paginator.page(1).object_list) == cases[:5]
    assert list(paginator.page(3).object_list) == cases[10:15]
    assert list(paginator.page(9).object_list) == cases[40:]


def test_pages_past_an_underestimated_count_are_served(cases, monkeypatch):
    monkeypatch.setattr("apps.core.pagination.EXACT_COUNT_CAP", 3)
    monkeypatch.setattr("apps.core.pagination.planner_estimate", lambda qs: 4)  # far below the 41 rows
    paginator = CountingPaginator(Case.objects.order_by(*ORDER), 5)
    assert paginator.count_is_estimate and paginator.num_pages == 1
    assert list(paginator.page(8).object_list) == cases[35:40]
    assert paginator.page(8).has_next() and not paginator.page(9).has_next()
    assert list(paginator.page(20).object_list) == []
