from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "apps.appeals"
    label = "appeals"
    verbose_name = _("Enterprise appeals")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.appeals.selectors.search"
    nav_items = [
        (47, "appeals:list", _("Enterprise appeals"), "chat-left-text", "appeals.view_appeal"),
    ]
    dossier_sections = "apps.appeals.selectors.dossier_sections"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist).
    worklist = "apps.appeals.selectors.worklist"
    #: The union figures page (/unions/figures/) shows this block by town and year (issue 19).
    union_figures = "apps.appeals.selectors.union_figures"
    #: Webhooks and the event feed (apps.webhooks.registry): appeals' transitions for `appeals:read`.
    api_events = [
        {"model": "appeals.appeal", "scope": "appeals:read", "town": "town", "path": "appeals/{pk}/"},
    ]

    def ready(self):
        from apps.core.cache import invalidate_on_save

        from .models import Appeal
        from .selectors import FIGURES_TOPIC

        # The figures move on whenever an appeal is saved (services, admin, demo, factories).
        invalidate_on_save(Appeal, lambda row: [FIGURES_TOPIC])
