"""/api/v1/: the one router of every module's API. It lives in `config/` because it is the only
module that imports every domain app's `api/`; `apps.api` is the plumbing those views share and
imports no domain app (docs/architecture-notes.md)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.accounts.api.audit import AuditEventViewSet
from apps.accounts.api.views import MeView, OrganisationViewSet
from apps.appeals.api.views import AppealViewSet  # enterprise appeals (issue 19)
from apps.assistance.api.views import AidViewSet, HardshipFileViewSet  # worker assistance (issue 19)
from apps.certification.api.views import (
    ApplicationViewSet,
    CertificateViewSet,
    RuleSetViewSet,
    VetoEventViewSet,
)
from apps.cockpit.api.views import StatisticsView  # the park's statistics (issue 20)
from apps.contracts.api.views import ContractBookView, ContractViewSet, ImportJobViewSet
from apps.enterprises.api.views import EnterpriseViewSet
from apps.inspection.api import views as inspection
from apps.legalaid.api.views import LegalAidRequestViewSet  # legal aid (issue 19)
from apps.mediation.api.views import CaseViewSet, MediationOrganisationViewSet
from apps.risk.api.views import RiskViewSet  # the risk watch list (issue 17)
from apps.unions.api.views import (
    CollectiveContractViewSet,
    PlatformViewSet,
    PlatformWorkerViewSet,
    UnionViewSet,
)
from apps.webhooks.api import EventFeedView  # the event feed (issue 15)

router = DefaultRouter()
router.include_root_view = False
router.register("organisations", OrganisationViewSet, basename="organisation")
# The audit trail (issue 15): list only, scope audit:read.
router.register("audit", AuditEventViewSet, basename="audit-event")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("unions", UnionViewSet, basename="union")
router.register("collective-contracts", CollectiveContractViewSet, basename="collective-contract")
# New forms of employment (issue 19): platform companies and platform workers.
router.register("platforms", PlatformViewSet, basename="platform")
router.register("new-employment-workers", PlatformWorkerViewSet, basename="new-employment-worker")
router.register("certification/applications", ApplicationViewSet, basename="certification-application")
router.register("certification/certificates", CertificateViewSet, basename="certification-certificate")
router.register("certification/rule-sets", RuleSetViewSet, basename="certification-rule-set")
router.register("certification/veto-events", VetoEventViewSet, basename="certification-veto-event")
router.register("mediation/cases", CaseViewSet, basename="mediation-case")
router.register("mediation/organisations", MediationOrganisationViewSet, basename="mediation-organisation")
router.register("inspection/cases", inspection.CaseViewSet, basename="inspection-case")
router.register("inspection/orders", inspection.OrderViewSet, basename="inspection-order")
router.register("inspection/interviews", inspection.InterviewViewSet, basename="inspection-interview")
router.register(
    "inspection/written-reviews", inspection.WrittenReviewViewSet, basename="inspection-written-review"
)
router.register(
    "inspection/wage-arrears-listings",
    inspection.WageArrearsListingViewSet,
    basename="inspection-wage-arrears-listing",
)
router.register(
    "inspection/serious-violations",
    inspection.SeriousViolationViewSet,
    basename="inspection-serious-violation",
)
router.register("inspection/credit-grades", inspection.CreditGradeViewSet, basename="inspection-credit-grade")
router.register("risk", RiskViewSet, basename="risk")
router.register("assistance/hardship-files", HardshipFileViewSet, basename="assistance-hardship-file")
router.register("assistance/aid", AidViewSet, basename="assistance-aid")
router.register("legal-aid/requests", LegalAidRequestViewSet, basename="legalaid-request")  # issue 19
# Before "contracts": `contracts/imports/` must not be read as the contract with the id "imports".
router.register("contracts/imports", ImportJobViewSet, basename="contract-import")
router.register("contracts", ContractViewSet, basename="contract")
router.register("appeals", AppealViewSet, basename="appeal")  # enterprise appeals (issue 19)

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    # The event feed (issue 15): the events webhooks push, readable in order with a cursor.
    path("events/", EventFeedView.as_view(), name="events"),
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    path(
        "enterprises/<uuid:pk>/contract-book/",
        ContractBookView.as_view(),
        name="enterprise-contract-book",
    ),
    path("", include(router.urls)),
]
