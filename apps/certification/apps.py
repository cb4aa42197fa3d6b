from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "apps.certification"
    label = "certification"
    verbose_name = _("Harmony certification")
    nav_items = [
        (30, "certification:list", _("Certification"), "award", "certification.view_application"),
        (31, "certification:notice_list", _("Public notices"), "megaphone", "certification.publish_notice"),
        (33, "certification:veto_list", _("Veto events"), "slash-circle", "certification.view_vetoevent"),
        (
            32,
            "certification:figures",
            _("Certification figures"),
            "pie-chart",
            "certification.view_certification_figures",
        ),
    ]
    home_cards = "apps.certification.selectors.home_cards"
    demo_seeder = "apps.certification.demo.seed"
    dossier_sections = "apps.certification.selectors.dossier_sections"
