from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "apps.mediation"
    label = "mediation"
    verbose_name = _("Labour-dispute mediation")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.mediation.selectors.search"
    nav_items = [
        (40, "mediation:list", _("Mediation"), "chat-left-text", "mediation.view_case"),
    ]
    home_cards = "apps.mediation.selectors.home_cards"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist).
    worklist = "apps.mediation.selectors.worklist"
    dossier_sections = "apps.mediation.selectors.dossier_sections"
    #: What the module tells the others (issue 17, apps.core.facts): facts about an enterprise,
    #: risk signals of every enterprise at once, veto candidates for certification.
    enterprise_facts = "apps.mediation.facts.enterprise_facts"
    risk_signal_kinds = "apps.mediation.facts.SIGNAL_KINDS"
    risk_signals = "apps.mediation.facts.risk_signals"
    veto_candidates = "apps.mediation.facts.veto_candidates"
    #: Webhooks and the event feed (issue 15; apps.webhooks.registry): each case's transitions and
    #: changes as `mediation.case.<verb>` for `mediation:read` (a new access code is not an event).
    api_events = [
        {
            "model": "mediation.case",
            "scope": "mediation:read",
            "town": "town",
            "path": "mediation/cases/{pk}/",
            "ignore": ["reissue_access_code"],
        },
    ]

    def ready(self):
        from apps.core.cache import invalidate_on_save

        from .models import Case, MediationOrganisation, Referral
        from .selectors import FIGURES_TOPIC

        # The services move the figures on themselves; this also covers the admin, the demo
        # park and the tests' factories.
        for model in (Case, MediationOrganisation, Referral):
            invalidate_on_save(model, lambda row: [FIGURES_TOPIC])
