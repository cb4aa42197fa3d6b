from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "apps.mediation"
    label = "mediation"
    verbose_name = _("Labour-dispute mediation")
    nav_items = [
        (40, "mediation:list", _("Mediation"), "chat-left-text", "mediation.view_case"),
    ]
    home_cards = "apps.mediation.selectors.home_cards"
    dossier_sections = "apps.mediation.selectors.dossier_sections"

    def ready(self):
        from apps.core.cache import invalidate_on_save

        from .models import Case, MediationOrganisation, Referral
        from .selectors import FIGURES_TOPIC

        # The services move the figures on themselves; this also covers the admin, the demo
        # park and the tests' factories.
        for model in (Case, MediationOrganisation, Referral):
            invalidate_on_save(model, lambda row: [FIGURES_TOPIC])
