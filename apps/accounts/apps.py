from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")
    nav_items = [
        # (order, url name, label, icon, permission)
        (80, "accounts:organisation_list", _("Organisations"), "building", "accounts.view_organisation"),
    ]
