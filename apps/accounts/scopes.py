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
    # District intake (issue 15): a 12345 hotline or another referring system.
    "mediation:intake": _("Send mediation cases and follow only those sent (no action on them)"),
    "contracts:read": _("Read labour-contract filings"),
    "contracts:write": _("File labour contracts"),
    "inspection:read": _("Read inspection cases"),
    "inspection:write": _("Write inspection cases"),
    # The risk watch list (issue 17): scores, their explanation and monthly history.
    "risk:read": _("Read the risk watch list"),
    # Enterprise appeals (issue 19): read; route and answer (filing and rating stay with the HR).
    "appeals:read": _("Read enterprise appeals"),
    "appeals:write": _("Route enterprise appeals and record the answers"),
    # Legal aid of the union (issue 19): requests, decisions, lawyers, outcomes.
    "legalaid:read": _("Read legal-aid requests"),
    "legalaid:write": _("Register legal-aid requests and act on them"),
    # Worker assistance (issue 19): hardship files and aid (ID numbers masked without personal_data:read).
    "assistance:read": _("Read hardship files and aid paid"),
    "assistance:write": _("Open and act on hardship files, record aid"),
    # The park's statistics (issue 20): the cockpit's figures, targets and breakdowns (no personal data).
    "statistics:read": _("Read the park's statistics (the cockpit's figures)"),
    "personal_data:read": _("See ID numbers and other sensitive personal data in full"),
    # Audit API (issue 15): the audit trail at /api/v1/audit/; not for area-restricted clients.
    "audit:read": _("Read the audit trail"),
}

#: The audit trail's scope (the audit API, and the refusal to give it to area-restricted clients).
AUDIT_SCOPE = "audit:read"
