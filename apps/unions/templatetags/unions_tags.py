"""Template helpers of the union module, for the enterprise dossier sections and the lists."""

from django import template

register = template.Library()

#: Bootstrap colours of the contract states (selectors.ContractState).
STATE_BADGES = {
    "awaiting_filing": "warning",
    "under_review": "info",
    "objection": "danger",
    "in_force": "success",
    "expired": "secondary",
}


@register.filter
def state_badge(state):
    """Bootstrap colour of a contract state: `text-bg-{{ state|state_badge }}`."""
    return STATE_BADGES.get(state, "secondary")
