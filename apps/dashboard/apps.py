from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The shell around the modules: the home page and the navigation. It reads the modules only
    through the hooks on their AppConfigs (`home_cards`, `nav_items`), never by importing them."""

    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
