from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "apps.inspection"
    label = "inspection"
    verbose_name = _("Labour inspection")
    nav_items = [
        (45, "inspection:list", _("Labour inspection"), "shield-check", "inspection.view_inspectioncase"),
    ]
    home_cards = "apps.inspection.selectors.home_cards"
