from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    """The park's cockpit (驾驶舱, issue 20): the headline figures against their targets, their
    24-month trends and their breakdown by town and industry, read by one selectors module that
    the cockpit page, the home page's figures, the periodic reports and the statistics API share."""

    name = "apps.cockpit"
    label = "cockpit"
    verbose_name = _("Cockpit")
    default_auto_field = "django.db.models.BigAutoField"
    nav_items = [
        (5, "cockpit:index", _("Cockpit"), "speedometer2", "cockpit.view_cockpit"),
    ]

    def ready(self):
        from apps.core.cache import invalidate_on_save

        from .models import Target

        # A target saved in the admin shows on the next page (selectors.targets).
        invalidate_on_save(Target, lambda row: ["cockpit-targets"])
