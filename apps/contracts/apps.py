from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "apps.contracts"
    label = "contracts"
    verbose_name = _("Labour contracts")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.contracts.selectors.search"
    nav_items = [
        (35, "contracts:list", _("Contracts"), "file-earmark-person", "contracts.view_labourcontract"),
    ]
    home_cards = "apps.contracts.selectors.home_cards"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist).
    worklist = "apps.contracts.selectors.worklist"
    dossier_sections = "apps.contracts.selectors.dossier_sections"
    #: What the module tells the others (issue 17, apps.core.facts): facts about an enterprise,
    #: risk signals of every enterprise at once.
    enterprise_facts = "apps.contracts.facts.enterprise_facts"
    risk_signal_kinds = "apps.contracts.facts.SIGNAL_KINDS"
    risk_signals = "apps.contracts.facts.risk_signals"
    #: Webhooks and the event feed (issue 15; apps.webhooks.registry): filings (in bulk: one COPY),
    #: renewals, terminations... as `contracts.labourcontract.<verb>` for `contracts:read`.
    api_events = [
        {
            "model": "contracts.labourcontract",
            "scope": "contracts:read",
            "town": "enterprise__town",
            "path": "contracts/{pk}/",
        },
    ]

    def ready(self):
        # The park's totals and the enterprise's book follow every save of a contract (a transition,
        # the admin); bulk filings move them on in services.
        from apps.core.cache import invalidate_on_save

        from .models import LabourContract
        from .selectors import book_topic, group_topic, group_topics

        def topics(row):
            if LabourContract.enterprise.is_cached(row):  # no query when the row carries it
                groups = [group_topic(row.enterprise.town_id, row.enterprise.industry)]
            else:
                groups = group_topics([row.enterprise_id])
            return ["contracts", book_topic(row.enterprise_id), *groups]

        invalidate_on_save(LabourContract, topics)
