from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    """Worker assistance (issue 19): the hardship file (困难职工档案) and the aid paid (帮扶)."""

    name = "apps.assistance"
    label = "assistance"
    verbose_name = _("Worker assistance")
    nav_items = [
        (27, "assistance:list", _("Worker assistance"), "heart", "assistance.view_hardshipfile"),
    ]
    dossier_sections = "apps.assistance.selectors.dossier_sections"
    home_cards = "apps.assistance.selectors.home_cards"
    #: The union figures page (/unions/figures/) reads these by town and year.
    union_figures = "apps.assistance.selectors.union_figures"
    #: Webhooks and the event feed (issue 15; apps.webhooks.registry).
    api_events = [
        {
            "model": "assistance.hardshipfile",
            "scope": "assistance:read",
            "town": "enterprise__town",
            "path": "assistance/hardship-files/{pk}/",
        },
        {
            "model": "assistance.aid",
            "scope": "assistance:read",
            "town": "file__enterprise__town",
            "path": "assistance/aid/{pk}/",
            "status": None,
        },
    ]
