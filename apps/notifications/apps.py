from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    nav_items = [
        (95, "notifications:inbox", _("Inbox"), "bell", None),
    ]

    def ready(self):
        from axes.signals import user_locked_out

        from .services import on_user_locked_out

        user_locked_out.connect(on_user_locked_out, dispatch_uid="notifications.account_locked")
