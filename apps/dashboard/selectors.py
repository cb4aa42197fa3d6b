"""Reads for the home page (issue 20: every role's home is a worklist).

- The worklist: what needs the user today. Each module declares `worklist =
  "apps.x.selectors.worklist"` on its AppConfig, a function `(principal, today)` returning items
  built with `apps.core.worklist.item` (a count, a link to the list of exactly those rows, the
  earliest due date, a state); `worklist()` gathers them, skips those with nothing to do and
  sorts them most urgent first.
- The figures: the few figures of the principal's role against their targets,
  `apps.cockpit.selectors.home_figures` (the cockpit's one selectors module).
- The cards: each module's counts through its `home_cards` provider
  (`home_cards = "apps.x.selectors.home_cards"`), less those already shown above: a card whose
  link is a worklist item's, or which names (`"figure"`) one of the figures' codes.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organisation
from apps.cockpit import selectors as cockpit_selectors
from apps.core.worklist import sort_key
from apps.notifications.selectors import unread_count


def _providers(hook: str):
    for config in apps.get_app_configs():
        path = getattr(config, hook, None)
        if path:
            yield import_string(path)


def worklist(principal, today: dt.date | None = None, *, keep_empty: bool = False) -> list[dict]:
    """Every module's worklist items for this principal, most urgent first (overdue, due today,
    due soon by due date, waiting, done: `apps.core.worklist.sort_key`); items with a count of
    zero are left out unless `keep_empty`."""
    today = today or timezone.localdate()
    items = [entry for provider in _providers("worklist") for entry in provider(principal, today)]
    if not keep_empty:
        items = [entry for entry in items if entry["count"]]
    return sorted(items, key=sort_key)


def home_cards(principal):
    """Cards for the home page of this principal: [{"label", "value", "url", "icon"}]. The
    enterprise and union counts come from those modules' providers."""
    cards = []
    orgs = Organisation.objects.visible_to(principal)
    if principal.is_park_admin:
        cards.append(
            {
                "label": _("Mediation organisations"),
                "value": orgs.filter(kind=Organisation.Kind.MEDIATION).count(),
                "icon": "chat-square-text",
            }
        )
    else:
        cards.append({"label": _("My organisations"), "value": orgs.count(), "icon": "building"})
    if principal.user is not None:
        cards.append({"label": _("Unread notifications"), "value": unread_count(principal), "icon": "bell"})
    for provider in _providers("home_cards"):
        cards.extend(provider(principal))
    return cards


def home_figures(principal) -> list[dict]:
    """The few figures of the principal's role against their targets (the cockpit's `Figure`
    dicts: label, display, target_display, meets_target, url...), computed by the cockpit's one
    selectors module."""
    return cockpit_selectors.home_figures(principal)


def home(principal, today: dt.date | None = None) -> dict:
    """What the home page shows: the worklist (items with something to do, most urgent first),
    the role's figures, and the module cards that the worklist does not already show."""
    every = worklist(principal, today, keep_empty=True)
    figures = home_figures(principal)
    links = {entry["url"] for entry in every}
    codes = {figure["code"] for figure in figures}
    return {
        "worklist": [entry for entry in every if entry["count"]],
        "figures": figures,
        "cards": [card for card in home_cards(principal) if not _shown_above(card, links, codes)],
    }


def _shown_above(card: dict, links: set, codes: set) -> bool:
    """A card whose count is already on the page: a worklist item's (the same link, even when
    there is nothing to do), or a figure's (the card names the cockpit's figure code it repeats)."""
    return bool(card.get("url") and card["url"] in links) or card.get("figure") in codes
