from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo park (`manage.py seed_demo`): one seeder per module, kept out of the modules' own
    rooms. It may use any module's models and services; no module imports it."""

    name = "apps.demo"
    label = "demo"
    verbose_name = _("Demo park")
