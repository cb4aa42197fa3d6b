"""/api/v1/: one router for every module. Modules register their viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import MeView, OrganisationViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
