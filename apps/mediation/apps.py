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
