from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "apps.inspection"
    label = "inspection"
    verbose_name = _("Labour inspection")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.inspection.selectors.search"
    # One menu entry; the rooms (interviews, patrols, written review, the wage-arrears list, serious
    # violations, credit grades, figures) are tabs of the inspection pages (_subnav.html).
    nav_items = [
        (45, "inspection:list", _("Labour inspection"), "shield-check", "inspection.view_inspectioncase"),
    ]
    #: What needs the user today, on the home page (issue 20, apps.core.worklist). The module's
    #: home cards (`selectors.home_cards`) were all things to do: they are worklist items now.
    worklist = "apps.inspection.selectors.worklist"
    dossier_sections = "apps.inspection.selectors.dossier_sections"
    #: What the module tells the others (issue 17, apps.core.facts): facts about an enterprise,
    #: risk signals of every enterprise at once, veto candidates for certification.
    enterprise_facts = "apps.inspection.facts.enterprise_facts"
    risk_signal_kinds = "apps.inspection.facts.SIGNAL_KINDS"
    risk_signals = "apps.inspection.facts.risk_signals"
    veto_candidates = "apps.inspection.facts.veto_candidates"
    #: Webhooks and the event feed (issue 15; apps.webhooks.registry): cases' transitions and
    #: changes and orders to rectify, for `inspection:read` (a new access code is not an event).
    api_events = [
        {
            "model": "inspection.inspectioncase",
            "scope": "inspection:read",
            "town": "town",
            "path": "inspection/cases/{pk}/",
            "ignore": ["issue_access_code"],
        },
        {
            "model": "inspection.rectificationorder",
            "scope": "inspection:read",
            "town": "case__town",
            "path": "inspection/orders/{pk}/",
            "status": "result",
        },
    ]

    def ready(self):
        from apps.core.cache import invalidate_on_save

        from .models import InspectionCase, Interview, RectificationOrder, WrittenReview
        from .selectors.figures import FIGURES_TOPIC

        # The figures (cases, orders) and the worklist (also interviews and written reports) move
        # on whenever one is saved: the services, the admin, the demo park and the tests' factories.
        for model in (InspectionCase, RectificationOrder, Interview, WrittenReview):
            invalidate_on_save(model, lambda row: [FIGURES_TOPIC])
