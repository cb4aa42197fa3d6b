"""Who may do what in the registry: every "may X?" of enterprises and their surveys. Services
refuse with these; pages show their buttons from the same answers. (Enterprises have no status
lifecycle of actions: their status is a registry field the park administration keeps.)"""

from __future__ import annotations


def can_edit(principal, enterprise) -> bool:
    if principal.is_api_client:
        return principal.has_scope("enterprises:write")
    user = principal.user
    if user is None or not user.has_perm("enterprises.change_enterprise"):
        return False
    return principal.is_park_admin or enterprise.organisation_id in principal.organisation_ids(
        "enterprise_hr"
    )


def can_change_controlled_fields(principal) -> bool:
    if principal.is_api_client:
        return principal.has_scope("enterprises:write")
    return bool(principal.user and principal.user.has_perm("enterprises.change_enterprise_controlled_fields"))


def can_record_survey(principal, enterprise) -> bool:
    if principal.is_api_client:
        return principal.has_scope("enterprises:write")
    user = principal.user
    if user is None or not user.has_perm("enterprises.add_enterprisesurvey"):
        return False
    return principal.is_park_admin or enterprise.organisation_id in principal.organisation_ids(
        "enterprise_hr"
    )


def can_import(principal) -> bool:
    user = principal.user
    return bool(
        not principal.is_api_client
        and user is not None
        and user.is_authenticated
        and user.has_perm("enterprises.import_enterprises")
    )


def can_export(principal) -> bool:
    if principal.is_api_client:
        return principal.has_scope("enterprises:read")
    user = principal.user
    if user is None or not user.is_authenticated:
        return False
    return principal.is_park_admin or user.has_perm("enterprises.export_enterprises")
