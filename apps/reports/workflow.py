"""Who may do what with reports (the "may X?" answers pages, buttons and services share)."""

from __future__ import annotations

from .models import GENERATE, SUBSCRIBE, VIEW


def _has(principal, perm: str) -> bool:
    if principal.is_system:
        return True
    if principal.is_api_client or principal.user is None or not principal.user.is_authenticated:
        return False
    return principal.user.has_perm(perm)


def may_view(principal) -> bool:
    return _has(principal, VIEW)


def may_generate(principal) -> bool:
    """Request a report, or generate a failed one again (park administrators)."""
    return _has(principal, GENERATE)


def may_subscribe(principal) -> bool:
    """Receive the scheduled reports (a user, never the platform or an API client)."""
    return not principal.is_system and _has(principal, SUBSCRIBE)


def page_answers(principal) -> dict:
    return {
        "view": may_view(principal),
        "generate": may_generate(principal),
        "subscribe": may_subscribe(principal),
    }
