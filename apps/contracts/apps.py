from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "apps.contracts"
    label = "contracts"
    verbose_name = _("Labour contracts")
    nav_items = [
        (35, "contracts:list", _("Contracts"), "file-earmark-person", "contracts.view_labourcontract"),
    ]
    home_cards = "apps.contracts.selectors.home_cards"
    dossier_sections = "apps.contracts.selectors.dossier_sections"
