"""Template helpers of the union module, for the enterprise dossier sections and the lists."""

from django import template

from .. import services

register = template.Library()

#: Bootstrap colours of the contract states (selectors.ContractState).
STATE_BADGES = {
    "awaiting_filing": "warning",
    "under_review": "info",
    "objection": "danger",
    "in_force": "success",
    "expired": "secondary",
}


def _principal(principal):
    return principal if principal is not None and getattr(principal, "is_authenticated", False) else None


@register.simple_tag
def can_write_contract(principal, enterprise):
    """Whether the principal may record a collective contract for the enterprise (services decide)."""
    principal = _principal(principal)
    return bool(principal and enterprise is not None and services.can_write_contract(principal, enterprise))


@register.simple_tag
def can_write_congress(principal, enterprise):
    """Whether the principal may record a workers' congress meeting of the enterprise."""
    principal = _principal(principal)
    return bool(principal and enterprise is not None and services.can_write_congress(principal, enterprise))


@register.filter
def state_badge(state):
    """Bootstrap colour of a contract state: `text-bg-{{ state|state_badge }}`."""
    return STATE_BADGES.get(state, "secondary")
