from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from apps.accounts.views import admin_login, set_language
from apps.api.schema_client import EnglishSchemaView
from apps.certification import views_notice as certification_views_notice
from apps.core.views import healthz

urlpatterns = [
    path("", include("apps.dashboard.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("audit/", include("apps.audit.urls")),
    path("inbox/", include("apps.notifications.urls")),
    path("documents/", include("apps.documents.urls")),
    path("enterprises/", include("apps.enterprises.urls")),
    path("unions/", include("apps.unions.urls")),
    path("certification/", include("apps.certification.urls")),
    path("mediation/", include("apps.mediation.urls")),
    path("inspection/", include("apps.inspection.urls")),
    path("contracts/", include("apps.contracts.urls")),
    path("risk/", include("apps.risk.urls")),  # the risk watch list (issue 17)
    path("cockpit/", include("apps.cockpit.urls")),  # the park's cockpit (issue 20)
    path("reports/", include("apps.reports.urls")),  # periodic park reports (issue 20)
    path("assistance/", include("apps.assistance.urls")),  # the hardship file and aid (issue 19)
    path("legal-aid/", include("apps.legalaid.urls")),  # legal aid (issue 19)
    path("appeals/", include("apps.appeals.urls")),  # enterprise appeals (issue 19)
    # Webhook subscriptions of API clients and their delivery log (issue 15).
    path("webhooks/", include("apps.webhooks.urls")),
    # Public verification of a certificate (printed as a QR code on the certificate).
    path("verify/<str:number>", certification_views_notice.verify, name="verify"),
    # The same check by typing the number (issue 20, the public portal).
    path("verify/", certification_views_notice.verify_form, name="verify_form"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(("config.api", "api"), namespace="v1")),
    # The schema and its docs are open to every signed-in user and API client (no scope needed).
    # Generated clients: the schema is served in English, as docs/api/openapi.yaml is.
    path("api/schema/", EnglishSchemaView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves its init script from ?script, so the page has no inline script.
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", permission_classes=[IsAuthenticated], template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("admin/login/", admin_login),  # one login page for the whole site (apps.accounts)
    path("admin/", admin.site.urls),
]

# Uploaded and generated files are never served from /media/, whatever the settings: each is
# served by its module's view, which checks the principal's scope (docs/security.md).

# Under /api/, a path no route matches and a server error answer in the API's JSON error format
# (docs/api/openapi.yaml); elsewhere Django's pages (templates/404.html, 500.html).
handler404 = "apps.api.errors.page_not_found"
handler500 = "apps.api.errors.server_error"
