"""Reads for the home page. Each module adds its own counts through `home_cards` providers
declared on its AppConfig (`home_cards = "apps.x.selectors.home_cards"`)."""

from django.apps import apps
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organisation
from apps.notifications.selectors import unread_count


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
    for config in apps.get_app_configs():
        provider = getattr(config, "home_cards", None)
        if provider:
            cards.extend(import_string(provider)(principal))
    return cards
