"""API scopes for district systems (ApiClient). One scope per resource and action; a client gets
only what it needs. Modules add their scopes here when they land."""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "organisations:read": _("Read organisations"),
    "enterprises:read": _("Read the enterprise registry"),
    "enterprises:write": _("Create and update enterprises and surveys"),
    "unions:read": _("Read unions and collective contracts"),
    "unions:write": _("Write unions and collective contracts"),
    "certification:read": _("Read certification applications and certificates"),
    "certification:write": _("Act on certification applications"),
    "mediation:read": _("Read mediation cases"),
    "mediation:write": _("Create mediation cases and act on them"),
    "contracts:read": _("Read labour-contract filings"),
    "contracts:write": _("File labour contracts"),
    "inspection:read": _("Read inspection cases"),
    "inspection:write": _("Write inspection cases"),
    "personal_data:read": _("See ID numbers and other sensitive personal data in full"),
}
