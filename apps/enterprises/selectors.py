"""Reads of the enterprise registry. Every function takes the acting principal and starts from
`Enterprise.objects.visible_to(principal)`."""

from __future__ import annotations

from django.apps import apps
from django.db.models import BooleanField, Case, Value, When
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from apps.core.cache import cached_figures, scope_key
from apps.core.scoping import get_visible_or_404

from .choices import Status
from .filters import EnterpriseFilter
from .models import Enterprise, EnterpriseSurvey
from .rules import HAS_OWN_UNION, HAS_UNION, NEEDS_UNION, UNION_COMMITTEE_SOURCE, UNION_COMMITTEE_THRESHOLD

__all__ = [
    "HAS_OWN_UNION",
    "HAS_UNION",
    "NEEDS_UNION",
    "UNION_COMMITTEE_SOURCE",
    "UNION_COMMITTEE_THRESHOLD",
]


def _flag(condition):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def enterprises_visible_to(principal):
    """The registry as the principal may see it, with what lists show (no per-row queries)."""
    return (
        Enterprise.objects.visible_to(principal)
        .select_related("town", "latest_survey", "union_coverage__union")
        .annotate(has_union=_flag(HAS_UNION), needs_union=_flag(NEEDS_UNION))
    )


def enterprise_list(principal, params=None):
    """The filtered, sorted list for pages, exports and the API (same parameters everywhere)."""
    filterset = EnterpriseFilter(params or {}, queryset=enterprises_visible_to(principal))
    qs = filterset.qs if filterset.is_valid() else enterprises_visible_to(principal).none()
    return filterset, qs


def get_enterprise(principal, pk) -> Enterprise:
    return get_visible_or_404(enterprises_visible_to(principal), principal, pk=pk)


def surveys_of(principal, enterprise):
    return EnterpriseSurvey.objects.visible_to(principal).filter(enterprise=enterprise).order_by("-year")


#: Sections of the one-enterprise-one-file dossier (一户一册), in order. Modules fill theirs through
#: `dossier_sections = "apps.x.selectors.dossier_sections"` on their AppConfig: a function
#: (principal, enterprise) -> list of {"key", "title", "template", "context", optional "wide"}.
DOSSIER_ORDER = [
    ("union", _("Trade union")),
    ("contracts", _("Labour contracts")),
    ("collective_contracts", _("Collective contracts")),
    ("congresses", _("Workers' congress")),
    ("certification", _("Harmony certification")),
    ("disputes", _("Labour disputes")),
    ("inspections", _("Labour inspection")),
]


def dossier_sections(principal, enterprise) -> list[dict]:
    """Every dossier section, filled by the module that owns it; a section whose module is not
    installed yet is listed empty, so the dossier's shape is the same for every enterprise."""
    provided = {}
    for config in apps.get_app_configs():
        provider = getattr(config, "dossier_sections", None)
        if provider:
            for section in import_string(provider)(principal, enterprise):
                provided[section["key"]] = section
    sections = []
    for key, title in DOSSIER_ORDER:
        section = provided.pop(key, None) or {"key": key, "title": title, "template": None, "context": {}}
        sections.append(section)
    sections.extend(provided.values())
    return sections


def home_cards(principal):
    cards = []
    if principal.user is None or not principal.user.has_perm("enterprises.view_enterprise"):
        return cards
    qs = Enterprise.objects.visible_to(principal)
    if principal.is_park_admin or principal.has_role("union_official"):
        url = reverse("enterprises:list")
        operating, needs_union = cached_figures(
            f"enterprises:home:{scope_key(principal)}",
            ["enterprises", "unions"],
            lambda: (
                qs.filter(status=Status.OPERATING).count(),
                qs.filter(status=Status.OPERATING).filter(NEEDS_UNION).count(),
            ),
        )
        cards.append(
            {
                "label": _("Operating enterprises"),
                "value": operating,
                "url": url + "?status=operating",
                "icon": "buildings",
            }
        )
        cards.append(
            {
                "label": _("25+ union members, no union committee"),
                "value": needs_union,
                "url": url + "?status=operating&needs_union=true",
                "icon": "exclamation-triangle",
            }
        )
    else:
        own = qs.filter(organisation_id__in=principal.organisation_ids("enterprise_hr")).first()
        if own is not None:
            cards.append(
                {
                    "label": _("My enterprise: employees"),
                    "value": own.employees,
                    "url": reverse("enterprises:detail", args=[own.pk]),
                    "icon": "building",
                }
            )
    return cards
