from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "apps.certification"
    label = "certification"
    verbose_name = _("Harmony certification")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.certification.selectors.search"
    nav_items = [
        (30, "certification:list", _("Certification"), "award", "certification.view_application"),
    ]
    home_cards = "apps.certification.selectors.home_cards"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist).
    worklist = "apps.certification.selectors.worklist"
    dossier_sections = "apps.certification.selectors.dossier_sections"
    #: What the module tells the others (issue 17, apps.core.facts): facts about an enterprise,
    #: risk signals of every enterprise at once.
    enterprise_facts = "apps.certification.facts.enterprise_facts"
    risk_signal_kinds = "apps.certification.facts.SIGNAL_KINDS"
    risk_signals = "apps.certification.facts.risk_signals"
    #: Webhooks and the event feed (issue 15; apps.webhooks.registry): applications' transitions
    #: and changes, certificates issued, lapsed, revoked, for `certification:read`.
    api_events = [
        {
            "model": "certification.application",
            "scope": "certification:read",
            "town": "enterprise__town",
            "path": "certification/applications/{pk}/",
        },
        {
            "model": "certification.certificate",
            "scope": "certification:read",
            "town": "enterprise__town",
            "path": "certification/certificates/{number}/",
        },
    ]

    def ready(self):
        # The cached figures and home-page counts (selectors.FIGURES_TOPIC) follow every save of an
        # application or a certificate: the services' actions, the jobs and the admin alike.
        from apps.core.cache import invalidate_on_save

        from .models import AnnualReport, Application, Certificate, Objection, PublicNotice
        from .selectors import FIGURES_TOPIC

        # The worklist (issue 20) also counts annual reports, objections and notices.
        for model in (Application, Certificate, AnnualReport, Objection, PublicNotice):
            invalidate_on_save(model, lambda row: [FIGURES_TOPIC])
