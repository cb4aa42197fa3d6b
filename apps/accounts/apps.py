from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")
    nav_items = [
        # (order, url name, label, icon, permission)
        (80, "accounts:organisation_list", _("Organisations"), "building", "accounts.view_organisation"),
        (98, "accounts:api_client_list", _("API clients"), "key", "accounts.view_apiclient"),
    ]

    def ready(self):
        # Imported here because the middleware imports django.contrib.auth's views, which need the
        # app registry (Django's documented place for this), not to dodge a circle.
        from . import signals
        from .middleware import mark_second_factor, stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="accounts.stamp_login")
        user_logged_in.connect(mark_second_factor, dispatch_uid="accounts.mark_second_factor")
        signals.connect()
