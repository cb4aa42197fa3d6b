from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnionsConfig(AppConfig):
    name = "apps.unions"
    label = "unions"
    verbose_name = _("Trade unions")
    # The search across modules (issue 20): apps/core/search.py.
    search = "apps.unions.selectors.search"
    nav_items = [
        (20, "unions:list", _("Trade unions"), "people", "unions.view_union"),
        (
            22,
            "unions:contract_list",
            _("Collective contracts"),
            "file-earmark-text",
            "unions.view_collectivecontract",
        ),
        (25, "unions:figures", _("Union figures"), "bar-chart", "unions.view_union_figures"),
        (
            26,
            "unions:platform_worker_list",
            _("New forms of employment"),
            "truck",
            "unions.view_platformworker",
        ),
    ]
    #: The union figures page (/unions/figures/) reads every module's tables by town and year
    #: (`selectors.module_figures`); this module's are the new forms of employment.
    union_figures = "apps.unions.selectors.union_figures"
    home_cards = "apps.unions.selectors.home_cards"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist).
    worklist = "apps.unions.selectors.worklist"
    #: Sections of the enterprise dossier (一户一册) this module fills; see apps.enterprises.dossier.
    dossier_sections = "apps.unions.selectors.dossier_sections"
    #: What the module tells the others (issue 17, apps.core.facts): facts about an enterprise,
    #: risk signals of every enterprise at once.
    enterprise_facts = "apps.unions.facts.enterprise_facts"
    risk_signal_kinds = "apps.unions.facts.SIGNAL_KINDS"
    risk_signals = "apps.unions.facts.risk_signals"

    def ready(self):
        # The cached union figures follow every save of a union or of what it covers.
        from apps.core.cache import invalidate_on_save

        from .models import CollectiveContract, Union, UnionCoverage, UnionTarget

        # ... the worklist's collective contracts and the targets the figures show (issue 20).
        for model in (Union, UnionCoverage, CollectiveContract, UnionTarget):
            invalidate_on_save(model, lambda row: ["unions"])
