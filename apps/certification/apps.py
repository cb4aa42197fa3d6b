from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "apps.certification"
    label = "certification"
    verbose_name = _("Harmony certification")
    nav_items = [
        (30, "certification:list", _("Certification"), "award", "certification.view_application"),
    ]
    home_cards = "apps.certification.selectors.home_cards"
    dossier_sections = "apps.certification.selectors.dossier_sections"
