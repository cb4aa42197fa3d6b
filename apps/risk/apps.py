from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """The risk watch list (风险预警, issue 17 item 1): every module's signals (the `risk_signals`
    hooks read by apps.core.facts) scored by the park's versioned policy, recomputed daily and
    soon after a relevant record changes."""

    name = "apps.risk"
    label = "risk"
    verbose_name = _("Risk watch list")
    default_auto_field = "django.db.models.BigAutoField"
    nav_items = [
        (48, "risk:list", _("Risk watch list"), "exclamation-triangle", "risk.view_enterpriserisk"),
    ]
    dossier_sections = "apps.risk.selectors.dossier_sections"
    #: What needs the user today, on the home page (issue 20, apps.core.worklist).
    worklist = "apps.risk.selectors.worklist"

    def ready(self):
        from apps.audit.services import WRITE_HOOKS

        from .services import on_audited_write

        # "Soon after a relevant record changes": every audited write that names an enterprise
        # queues one debounced recompute of it after the commit (services.on_audited_write).
        if on_audited_write not in WRITE_HOOKS:
            WRITE_HOOKS.append(on_audited_write)
