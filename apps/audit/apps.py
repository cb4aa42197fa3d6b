from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = _("Audit")
    nav_items = [
        (90, "audit:event_list", _("Audit log"), "journal-text", "audit.view_auditevent"),
    ]
