from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalAidConfig(AppConfig):
    """The union's legal aid for workers (issue 19 item 3)."""

    name = "apps.legalaid"
    label = "legalaid"
    verbose_name = _("Legal aid")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.legalaid.selectors.search"
    nav_items = [
        (28, "legalaid:list", _("Legal aid"), "briefcase", "legalaid.view_legalaidrequest"),
    ]
    dossier_sections = "apps.legalaid.selectors.dossier_sections"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist): the decisions
    #: due and overdue (the overdue ones were the module's home card, `selectors.home_cards`).
    worklist = "apps.legalaid.selectors.worklist"
    #: The union figures page (/unions/figures/) reads these by town and year.
    union_figures = "apps.legalaid.selectors.union_figures"
    #: Webhooks and the event feed (issue 15; apps.webhooks.registry): requests' transitions and
    #: changes for `legalaid:read` (a new access code is not an event; no personal data).
    api_events = [
        {
            "model": "legalaid.legalaidrequest",
            "scope": "legalaid:read",
            "town": "town",
            "path": "legal-aid/requests/{pk}/",
            "ignore": ["reissue_access_code"],
        },
    ]

    def ready(self):
        from apps.core.cache import invalidate_on_save

        from .models import LegalAidRequest
        from .selectors import FIGURES_TOPIC

        invalidate_on_save(LegalAidRequest, lambda row: [FIGURES_TOPIC])
