"""API plumbing shared by every module's viewsets."""

from apps.core.scoping import principal_for_request


class ScopedViewMixin:
    """Viewsets read through a selector that takes the principal. Set `model` and implement
    `scoped_queryset(principal)`; detail lookups outside the scope are 404 by construction."""

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
