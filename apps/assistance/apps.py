from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    """Worker assistance (issue 19): the hardship file (困难职工档案) and the aid paid (帮扶)."""

    name = "apps.assistance"
    label = "assistance"
    verbose_name = _("Worker assistance")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.assistance.selectors.search"
    nav_items = [
        (27, "assistance:list", _("Worker assistance"), "heart", "assistance.view_hardshipfile"),
    ]
    dossier_sections = "apps.assistance.selectors.dossier_sections"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist): the hardship
    #: reviews due, which were the module's home card (`selectors.home_cards`).
    worklist = "apps.assistance.selectors.worklist"
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

    def ready(self):
        from apps.core.cache import invalidate_on_save

        from .models import Aid, HardshipFile
        from .selectors import FIGURES_TOPIC

        # The aid figures (the cockpit's, the union figures page's) follow every save of aid.
        for model in (Aid, HardshipFile):
            invalidate_on_save(model, lambda row: [FIGURES_TOPIC])
