"""The one way pages, the API, exports and PDFs fetch objects: through the model's
`visible_to(principal)`. An object outside the principal's scope does not exist for them (404)."""

from django.core.exceptions import ValidationError
from django.http import Http404

from apps.core.principal import Principal, principal_for_request

__all__ = ["Principal", "get_visible_or_404", "principal_for_request", "visible"]


def visible(queryset, principal):
    return queryset.visible_to(principal)


def get_visible_or_404(queryset, principal, **lookup):
    try:
        return queryset.visible_to(principal).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
