"""API plumbing shared by every module's viewsets."""

from django.utils import timezone
from rest_framework.exceptions import ValidationError

from apps.core.principal import principal_for_request


class ScopedViewMixin:
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

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["principal"] = self.principal
        context["today"] = timezone.localdate()
        return context


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
