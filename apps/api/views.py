"""API plumbing shared by every module's viewsets."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from apps.core.principal import principal_for_request

# Incremental sync, unknown query parameters and conditional requests (issue 15): every list takes
# `updated_since`, `ordering=updated_at` and a cursor; a detail sends an ETag, a write honours If-Match.
from .conditional import ConditionalRequestMixin
from .sync import IncrementalSyncMixin


class ScopedViewMixin(IncrementalSyncMixin, ConditionalRequestMixin):
    """Viewsets read through a selector that takes the principal. Set `model` and implement
    `scoped_queryset(principal)`; detail lookups outside the scope are 404 by construction. The
    serializers find the principal and the park's date in their context."""

    model = None

    @property
    def principal(self):
        return principal_for_request(self.request)

    def scoped_queryset(self, principal):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no principal
            return self.model.objects.none()
        return self.scoped_queryset(self.principal)

    def filter_queryset(self, queryset):
        refuse_malformed_parameters(self, queryset)
        return super().filter_queryset(queryset)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["principal"] = self.principal
        context["today"] = timezone.localdate()
        return context


#: The values of a yes/no list parameter (the schema's boolean; the pages send the same).
BOOLEAN_VALUES = {"true", "false", "True", "False"}


def refuse_malformed_parameters(view, queryset) -> None:
    """A yes/no parameter takes `true` or `false`, nothing else (400). An empty value (`?status=`) for a list parameter the schema types (a choice, a number, an
    id, a date, yes/no) is a 400 naming it: the schema does not allow `""`, and answering the whole
    list would hide the caller's mistake. Leave the parameter out to mean "any". Free-text
    parameters (a name, a code, `search`) may be empty. The pages keep their "Any" choice: they
    read the same FilterSets without this check."""
    params = view.request.query_params
    for backend in view.filter_backends:
        if not issubclass(backend, DjangoFilterBackend):
            continue
        filterset_class = backend().get_filterset_class(view, queryset)
        if filterset_class is None:
            continue
        errors = {}
        for name, declared in filterset_class.base_filters.items():
            values = params.getlist(name) if name in params else []
            if any(value == "" for value in values) and not isinstance(declared, django_filters.CharFilter):
                errors[name] = [_("Leave the parameter out instead of sending it empty.")]
            elif isinstance(declared, django_filters.BooleanFilter) and any(
                value not in BOOLEAN_VALUES for value in values
            ):
                # django-filter reads any other value as "unknown" and drops the filter silently.
                errors[name] = [_("Send true or false.")]
        if errors:
            raise ValidationError(errors)


def dotted(errors, prefix="") -> dict:
    """Serializer errors with the keys the services use for nested rows: `applicants.0.phone`,
    `types.1` (a nested error dict or list becomes one key per leaf)."""
    out = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "non_field_errors" and prefix:
                out.update(dotted(value, prefix))
            else:
                out.update(dotted(value, f"{prefix}{key}."))
    elif isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        for index, item in enumerate(errors):
            if item:
                out.update(dotted(item, f"{prefix}{index}."))
    else:
        out[prefix.rstrip(".") or "non_field_errors"] = errors if isinstance(errors, list) else [errors]
    return out


def validated(serializer) -> dict:
    """The serializer's validated data, or a 400 naming each invalid field (nested rows dotted)."""
    if not serializer.is_valid():
        raise ValidationError(dotted(serializer.errors))
    return serializer.validated_data
