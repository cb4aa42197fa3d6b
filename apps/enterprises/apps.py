from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "apps.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprise registry")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.enterprises.selectors.search"
    nav_items = [
        (10, "enterprises:list", _("Enterprises"), "buildings", "enterprises.view_enterprise"),
    ]
    home_cards = "apps.enterprises.selectors.home_cards"
    #: Webhooks and the event feed (issue 15; apps.webhooks.registry): each audited write of an
    #: enterprise is an event `enterprises.enterprise.<verb>` for clients with `enterprises:read`.
    api_events = [
        {
            "model": "enterprises.enterprise",
            "scope": "enterprises:read",
            "town": "town",
            "path": "enterprises/{pk}/",
        },
    ]

    def ready(self):
        # The cached registry figures (home cards, union coverage) follow every save of their rows.
        from apps.core.cache import invalidate_on_save

        from .models import Enterprise, EnterpriseSurvey

        for model in (Enterprise, EnterpriseSurvey):
            invalidate_on_save(model, lambda row: ["enterprises"])
