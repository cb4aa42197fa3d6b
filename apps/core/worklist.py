"""The worklist (issue 20): what needs a user today, gathered on the home page from every module.

Each domain module declares `worklist = "apps.<app>.selectors.worklist"` on its AppConfig: a
function `(principal, today) -> list[dict]` whose items are built with `item()` below. The
dashboard (`apps.dashboard.selectors.worklist`) gathers them, skips those with nothing to do and
sorts them most urgent first (`sort_key`).

An item is a group of rows of one of the module's lists: its `url` opens that list filtered to
exactly those rows (the count is the number of rows the link shows), its `due` is the earliest
due date of the group, its `state` how urgent that is:

- `overdue`: a due date has passed;
- `today`: due today (or something to see to today, e.g. a failed import);
- `soon`: due within `SOON_DAYS` days (or within the module's own window: contracts to renew,
  collective contracts ending);
- `waiting`: waiting for the user, without a near due date;
- `done`: finished work to look at (an import that went through).

Modules count with one aggregate over an index-backed filter and keep the numbers (never the
words: the labels follow the reader's language) with `apps.core.cache.cached_figures` under their
figures topic, per scope and day, so the home page costs no query per module once warm and is
correct after a write.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

OVERDUE, TODAY, SOON, WAITING, DONE = "overdue", "today", "soon", "waiting", "done"
#: The states, most urgent first (the order of the worklist).
STATES = (OVERDUE, TODAY, SOON, WAITING, DONE)
STATE_LABELS = {
    OVERDUE: _("Overdue"),
    TODAY: _("Due today"),
    SOON: _("Due soon"),
    WAITING: _("Waiting for you"),
    DONE: _("Done"),
}
#: "Soon": due within this many calendar days.
SOON_DAYS = 3


def state_of(due: dt.date | None, today: dt.date, *, soon_days: int = SOON_DAYS) -> str:
    """How urgent a group whose earliest due date is `due` is on `today`."""
    if due is None:
        return WAITING
    if due < today:
        return OVERDUE
    if due == today:
        return TODAY
    if due <= today + dt.timedelta(days=soon_days):
        return SOON
    return WAITING


def item(
    key: str,
    label,
    count: int,
    *,
    url: str,
    module,
    due: dt.date | None = None,
    state: str | None = None,
    today: dt.date | None = None,
    soon_days: int = SOON_DAYS,
) -> dict:
    """One line of the worklist. `state` defaults to `state_of(due, today)` (then `today` is
    needed); `key` is stable ("mediation.overdue"), `label` and `module` translated."""
    if state is None:
        if today is None:
            raise ValueError("item() needs `today` to derive the state from `due`")
        state = state_of(due, today, soon_days=soon_days)
    if state not in STATES:
        raise ValueError(f"unknown worklist state {state!r}")
    return {
        "key": key,
        "label": str(label),
        "count": int(count or 0),
        "due": due,
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "url": url,
        "module": str(module),
    }


def sort_key(entry: dict):
    """Most urgent first: overdue (the oldest due date first), then due today, then soon by due
    date, then waiting (those with a due date first), then done; equal ones by module and key."""
    due = entry.get("due") or dt.date.max
    return (STATES.index(entry["state"]), due, entry.get("module", ""), entry["key"])
