"""The cross-tenant matrix (issue 14, deliverable 10), generated from the URL configuration.

Every URL pattern that takes an object (`pk`, `enterprise_pk`, `number`, ...) is walked from
`get_resolver()`, the API router's routes included, and must be classified here: either in
`ROUTES` (which object it addresses, so the test can pick one the caller may not see) or in
`NOT_PER_ORGANISATION` (with the reason). A new route fails `test_every_object_route_is_classified`
until someone classifies it, so the matrix covers it without anyone remembering to.

For each classified route and each role below, the test asks for an object of another organisation
(one outside the model's `visible_to(principal)`) in the demo park and expects 404 or 403: never a
200, a redirect into the object or a server error. Reads are GETs; routes that only take POST are
posted to with an empty body (a refused write must not reach its validation). The figures (routes,
roles, requests) are printed with `-s` and recorded in docs/security.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.accounts.scopes import AUDIT_SCOPE, SCOPES
from apps.accounts.services import create_api_client
from apps.appeals.models import Appeal  # enterprise appeals (issue 19)
from apps.assistance.models import Aid, HardshipFile  # worker assistance (issue 19)
from apps.certification.models import AnnualReport, Application, Certificate, Evidence, Objection, VetoEvent
from apps.contracts.models import ImportJob, LabourContract
from apps.core.models import Area
from apps.core.principal import principal_for_api_client, principal_for_user
from apps.documents.models import GeneratedDocument
from apps.enterprises.models import Enterprise, ImportBatch
from apps.inspection.models import (
    Attachment,
    CreditGrade,
    InspectionCase,
    Interview,
    Patrol,
    PatrolFinding,
    PatrolPlan,
    RectificationOrder,
    SeriousViolation,
    WrittenReview,
)
from apps.inspection.selectors.arrears import violations_visible
from apps.inspection.selectors.patrols import visible_plans
from apps.legalaid.models import LegalAidRequest
from apps.mediation.models import Case, CaseDocument, FollowUp, Referral
from apps.notifications.models import Notification
from apps.reports.models import Report, ReportSubscription  # periodic reports (issue 20)
from apps.risk.models import EnterpriseRisk
from apps.unions.models import CollectiveContract, PlatformWorker, Union
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

#: Keyword arguments that name an object (a route with one of them is per-object).
OBJECT_KWARGS = re.compile(r"(^|_)(pk|id|uuid|number)$")


@dataclass(frozen=True)
class Target:
    """What a route addresses: the model whose rows the route serves, how to build the route's
    keyword arguments from one row, and which rows a principal may see (the model's scoping, or its
    parent's for nested rows)."""

    model: type
    kwargs: object  # callable(row) -> dict
    visible: object = None  # callable(principal) -> queryset of visible rows; default model.visible_to

    def visible_rows(self, principal):
        if self.visible is not None:
            return self.visible(principal)
        return self.model.objects.visible_to(principal)


def _pk(row):
    return {"pk": row.pk}


ENTERPRISE = Target(Enterprise, _pk)
UNION = Target(Union, _pk)
COLLECTIVE = Target(CollectiveContract, _pk)
APPLICATION = Target(Application, _pk)
CERTIFICATE = Target(Certificate, lambda c: {"number": c.number})
CASE = Target(Case, _pk)
CONTRACT = Target(LabourContract, _pk)
CONTRACT_IMPORT = Target(ImportJob, _pk)
ORGANISATION = Target(Organisation, _pk)
LEGAL_AID = Target(LegalAidRequest, _pk)


def _case_child(model, kwarg, case_path):
    """A row nested in a case (`/mediation/<case>/.../<row>/`): visible when its case is."""
    return Target(
        model,
        lambda row: {"pk": _attr(row, case_path).pk, kwarg: row.pk},
        lambda p: model.objects.filter(**{f"{case_path}__in": Case.objects.visible_to(p)}),
    )


def _attr(row, path):
    for part in path.split("__"):
        row = getattr(row, part)
    return row


#: Every per-object route, by URL name, with what it addresses. `None` for a route's extra
#: non-object arguments is filled from EXTRA.
ROUTES: dict[str, Target] = {
    # Pages
    "accounts:organisation_detail": ORGANISATION,
    "notifications:open": Target(Notification, _pk),
    "documents:download": Target(GeneratedDocument, _pk),
    "enterprises:detail": ENTERPRISE,
    "enterprises:edit": ENTERPRISE,
    "enterprises:survey_edit": ENTERPRISE,
    "enterprises:dossier_pdf": ENTERPRISE,
    "enterprises:dossier_pdf_generate": ENTERPRISE,
    "enterprises:dossier_pdf_state": ENTERPRISE,
    "enterprises:import_report": Target(ImportBatch, _pk),
    "enterprises:import_confirm": Target(ImportBatch, _pk),
    "enterprises:import_discard": Target(ImportBatch, _pk),
    "unions:detail": UNION,
    "unions:edit": UNION,
    "unions:contract_detail": COLLECTIVE,
    "unions:contract_edit": COLLECTIVE,
    "unions:contract_file": COLLECTIVE,
    "unions:contract_objection": COLLECTIVE,
    # New forms of employment (issue 19): the union's platform workers.
    "unions:platform_worker_detail": Target(PlatformWorker, _pk),
    "unions:platform_worker_edit": Target(PlatformWorker, _pk),
    "unions:platform_worker_join": Target(PlatformWorker, _pk),
    "unions:platform_worker_leave": Target(PlatformWorker, _pk),
    "certification:detail": APPLICATION,
    "certification:wizard": Target(Application, lambda a: {"pk": a.pk, "step": "group"}),
    "certification:evidence": Target(
        Evidence,
        lambda e: {"pk": e.application_id, "evidence_pk": e.pk},
        lambda p: Evidence.objects.filter(application__in=Application.objects.visible_to(p)),
    ),
    "certification:evidence_delete": Target(
        Evidence,
        lambda e: {"pk": e.application_id, "evidence_pk": e.pk},
        lambda p: Evidence.objects.filter(application__in=Application.objects.visible_to(p)),
    ),
    "certification:review": APPLICATION,
    "certification:action": Target(Application, lambda a: {"pk": a.pk, "action": "withdraw"}),
    "certification:objection_resolve": Target(Objection, _pk),
    "certification:certificate": CERTIFICATE,
    "certification:certificate_revoke": CERTIFICATE,
    "certification:annual_report": Target(AnnualReport, _pk),
    "certification:veto_decide": Target(VetoEvent, lambda v: {"pk": v.pk, "action": "confirm"}),
    # The risk watch list (issue 17): an enterprise's risk, within the viewer's registry scope.
    "risk:detail": Target(EnterpriseRisk, lambda r: {"enterprise_id": r.pk}),
    "mediation:detail": CASE,
    "mediation:mass_incident": CASE,
    "mediation:mass_incident_remove": CASE,
    "mediation:action": Target(Case, lambda c: {"pk": c.pk, "action": "withdraw"}),
    "mediation:access_code": CASE,
    "mediation:session_create": CASE,
    "mediation:agreement": CASE,
    "mediation:signatures": CASE,
    "mediation:agreement_pdf": CASE,
    "mediation:agreement_pdf_generate": CASE,
    "mediation:agreement_draft_pdf": CASE,
    "mediation:agreement_draft_generate": CASE,
    "mediation:payment_create": CASE,
    "mediation:performance": CASE,
    "mediation:follow_up": _case_child(FollowUp, "follow_up_pk", "agreement__case"),
    "mediation:referral_create": CASE,
    "mediation:referral_result": _case_child(Referral, "referral_pk", "case"),
    "mediation:document_upload": CASE,
    "mediation:document": _case_child(CaseDocument, "document_pk", "case"),
    "contracts:detail": CONTRACT,
    "contracts:terminate": CONTRACT,
    "contracts:verify": CONTRACT,
    "contracts:signed_file": CONTRACT,
    "contracts:book_list": Target(Enterprise, lambda e: {"enterprise_pk": e.pk, "key": "in_force"}),
    "contracts:book_xlsx": Target(Enterprise, lambda e: {"enterprise_pk": e.pk}),
    "contracts:book_pdf": Target(Enterprise, lambda e: {"enterprise_pk": e.pk}),
    "contracts:book_pdf_generate": Target(Enterprise, lambda e: {"enterprise_pk": e.pk}),
    "contracts:import_detail": CONTRACT_IMPORT,
    "contracts:import_report": CONTRACT_IMPORT,
    "inspection:detail": Target(InspectionCase, _pk),
    "inspection:action": Target(InspectionCase, lambda c: {"pk": c.pk, "action": "accept"}),
    "inspection:access_code": Target(InspectionCase, _pk),
    "inspection:interview": Target(Interview, _pk),
    "inspection:interview_action": Target(Interview, lambda i: {"pk": i.pk, "action": "dismiss"}),
    "inspection:interview_notice_pdf": Target(Interview, _pk),
    "inspection:interview_notice_generate": Target(Interview, _pk),
    "inspection:order_pdf": Target(RectificationOrder, _pk),
    "inspection:order_pdf_generate": Target(RectificationOrder, _pk),
    "inspection:patrol": Target(Patrol, _pk),
    "inspection:patrol_plan": Target(PatrolPlan, _pk, visible_plans),
    **{
        name: Target(
            PatrolFinding,
            _pk,
            lambda p: PatrolFinding.objects.filter(patrol__in=Patrol.objects.visible_to(p)),
        )
        for name in ("inspection:patrol_attachment_add", "inspection:patrol_finding_case")
    },
    "inspection:patrol_attachment": Target(
        Attachment, _pk, lambda p: Attachment.objects.filter(finding__patrol__in=Patrol.objects.visible_to(p))
    ),
    **{
        f"inspection:{name}": Target(WrittenReview, _pk)
        for name in ("review_detail", "review_submit", "review_accept", "review_return", "review_case")
    },
    "inspection:violation_detail": Target(SeriousViolation, _pk, violations_visible),
    # Worker assistance (issue 19): the hardship file and its aid.
    **{
        f"assistance:{name}": Target(HardshipFile, _pk) for name in ("detail", "edit", "reveal_id", "pay_aid")
    },
    "assistance:action": Target(HardshipFile, lambda f: {"pk": f.pk, "action": "exit"}),
    # API (/api/v1/, config/api.py and its router)
    "v1:enterprise-contract-book": ENTERPRISE,
    "v1:organisation-detail": ORGANISATION,
    "v1:enterprise-detail": ENTERPRISE,
    "v1:enterprise-surveys": ENTERPRISE,
    "v1:union-detail": UNION,
    "v1:collective-contract-detail": COLLECTIVE,
    "v1:collective-contract-file": COLLECTIVE,
    "v1:collective-contract-objection": COLLECTIVE,
    "v1:new-employment-worker-detail": Target(PlatformWorker, _pk),
    "v1:new-employment-worker-join": Target(PlatformWorker, _pk),
    "v1:new-employment-worker-leave": Target(PlatformWorker, _pk),
    "v1:certification-application-detail": APPLICATION,
    "v1:certification-application-propose": APPLICATION,
    "v1:certification-application-reject": APPLICATION,
    "v1:certification-application-return": APPLICATION,
    "v1:certification-application-review-scores": APPLICATION,
    "v1:certification-application-start-review": APPLICATION,
    "v1:certification-application-submit": APPLICATION,
    "v1:certification-application-withdraw": APPLICATION,
    "v1:certification-certificate-detail": CERTIFICATE,
    "v1:certification-veto-event-confirm": Target(VetoEvent, _pk),
    "v1:certification-veto-event-dismiss": Target(VetoEvent, _pk),
    **{
        f"v1:assistance-hardship-file-{name}": Target(HardshipFile, _pk)
        for name in ("detail", "assess", "approve", "reject", "review", "exit")
    },
    "v1:assistance-aid-detail": Target(Aid, _pk),
    "v1:risk-detail": Target(EnterpriseRisk, lambda r: {"enterprise_id": r.pk}),
    "v1:risk-history": Target(EnterpriseRisk, lambda r: {"enterprise_id": r.pk}),
    "v1:certification-certificate-revoke": CERTIFICATE,
    "v1:mediation-case-detail": CASE,
    "v1:mediation-case-accept": CASE,
    "v1:mediation-case-agreement-pdf": CASE,
    "v1:mediation-case-archive": CASE,
    "v1:mediation-case-close-agreement": CASE,
    "v1:mediation-case-close-no-agreement": CASE,
    "v1:mediation-case-close-timed-out": CASE,
    "v1:mediation-case-extend": CASE,
    "v1:mediation-case-refer-arbitration": CASE,
    "v1:mediation-case-refer-court": CASE,
    "v1:mediation-case-refuse": CASE,
    "v1:mediation-case-respondent-refused": CASE,
    "v1:mediation-case-timeline": CASE,
    "v1:mediation-case-transfer": CASE,
    "v1:mediation-case-withdraw": CASE,
    "v1:contract-import-detail": CONTRACT_IMPORT,
    # /api/v1/inspection/ (the reporter is never in it; a case outside the scope is a 404)
    **{
        f"v1:inspection-case-{name}": Target(InspectionCase, _pk)
        for name in (
            "detail",
            "accept",
            "archive",
            "close",
            "decide-no-violation",
            "decide-order",
            "decide-penalty",
            "decide-police",
            "extend",
            "refuse",
            "reject-extension",
            "request-extension",
            "start-follow-up",
            "start-investigation",
            "timeline",
            "transfer-to-mediation",
        )
    },
    "v1:inspection-order-detail": Target(RectificationOrder, _pk),
    "v1:inspection-order-record-follow-up": Target(RectificationOrder, _pk),
    **{
        f"v1:inspection-interview-{name}": Target(Interview, _pk)
        for name in ("detail", "dismiss", "follow-up", "record", "send-notice")
    },
    **{
        f"v1:inspection-written-review-{name}": Target(WrittenReview, _pk)
        for name in ("detail", "accept", "return", "submit")
    },
    "v1:inspection-credit-grade-detail": Target(CreditGrade, _pk),
    # Legal aid (issue 19): a request outside LegalAidRequest.visible_to is a 404.
    "legalaid:detail": LEGAL_AID,
    "legalaid:action": Target(LegalAidRequest, lambda r: {"pk": r.pk, "action": "accept"}),
    "legalaid:lawyer": LEGAL_AID,
    "legalaid:link": LEGAL_AID,
    "legalaid:access_code": LEGAL_AID,
    **{
        f"v1:legalaid-request-{name}": LEGAL_AID
        for name in ("detail", "accept", "refuse", "withdraw", "close", "lawyer", "link")
    },
    # Enterprise appeals (issue 19): HR their enterprise's only (Appeal.visible_to), others 404.
    "appeals:detail": Target(Appeal, _pk),
    "appeals:attachment": Target(Appeal, _pk),
    "appeals:action": Target(Appeal, lambda a: {"pk": a.pk, "action": "route"}),
    **{
        f"v1:appeal-{name}": Target(Appeal, _pk)
        for name in ("detail", "route", "reroute", "answer", "rate", "reopen", "timeline")
    },
    "v1:contract-detail": CONTRACT,
    "v1:contract-terminate": CONTRACT,
    "v1:contract-verify": CONTRACT,
    # Periodic reports (issue 20): park administrators only (Report.visible_to; the other roles
    # lack reports.view_report: 403); a subscription is its user's own (404 for anyone else).
    **{f"reports:{name}": Target(Report, _pk) for name in ("detail", "retry", "pdf", "xlsx")},
    "reports:unsubscribe": Target(ReportSubscription, _pk),
}

#: Routes with an object in their address that are not per-organisation, and why.
NOT_PER_ORGANISATION: dict[str, str] = {
    "v1:platform-detail": "a platform company is public registry information (name, kind, credit "
    "code), readable by every principal with the union read scope; who works through it is the "
    "platform worker routes' business",
    "audit:object_events": "a list filtered by the caller's scope (audit.selectors.events_for_object): "
    "another organisation's object answers an empty list, tested in tests/audit/test_audit.py",
    "certification:public_notice_pdf": "public by law: the notice of a certification is published "
    "for objections (the public notice page)",
    "certification:public_objection": "public by law: anyone may object during the notice, throttled",
    "verify": "public by design: the QR code printed on a certificate",
    "accounts:login_lock_lift": "a login lock is not an organisation's object: park administrators "
    "only (PermissionDenied for everyone else), tested in tests/accounts/test_login_protection.py",
    # API clients (issue 15): the park's district-system clients, not an organisation's objects.
    **{
        f"accounts:api_client_{name}": "an API client is the park's, not an organisation's: park "
        "administrators only (PermissionDenied for every other role), tested in "
        "tests/accounts/test_api_client_pages.py"
        for name in ("detail", "edit", "rotate", "revoke")
    },
    # Webhooks (issue 15): an API client's subscriptions and delivery log, the park's own.
    **{
        f"webhooks:{name}": "webhook subscriptions belong to the park's API clients, not to an "
        "organisation: park administrators only (PermissionDenied for every other role), tested in "
        "tests/webhooks/test_pages.py"
        for name in (
            "client_subscriptions",
            "subscription_create",
            "subscription_edit",
            "subscription_disable",
            "subscription_enable",
            "subscription_rotate_secret",
            "subscription_replay",
            "delivery_replay",
        )
    },
    "v1:certification-rule-set-detail": "park-wide rule sets, the same for every organisation",
    "v1:mediation-organisation-detail": "mediation organisations are public inside the platform "
    "(intake and transfer need them): MediationOrganisation.objects.visible_to",
    "inspection:arrears_detail": "the wage-arrears list is published (人社部令第45号): every signed-in "
    "user reads it, WageArrearsListing.objects.visible_to",
    "inspection:arrears_remove": "removal from the published list is a park administrator's act "
    "(manage_wage_arrears_list; PermissionDenied for every other role), tested in "
    "tests/inspection/test_arrears_pages.py",
    "v1:inspection-wage-arrears-listing-detail": "the wage-arrears list is published (人社部令第45号): "
    "every signed-in user reads it, WageArrearsListing.objects.visible_to",
    "v1:inspection-serious-violation-detail": "serious violations are published (重大劳动保障违法行为社会公布"
    "办法): every signed-in user reads them, SeriousViolation.objects.visible_to",
}
#: Address prefixes left out of the matrix, and why.
NOT_PER_ORGANISATION_PREFIXES = {
    "admin:": "Django admin: staff only (park administrators); the roles below are redirected to its "
    "login; tested in tests/*/test_admin.py",
}


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or ''}", pattern


def object_routes() -> dict[str, URLPattern]:
    """Every named URL pattern whose address carries an object, by name (a router's `.json`
    suffix variants share their route's name)."""
    routes = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        regex = pattern.pattern.regex
        names = set(regex.groupindex) - {"format"}
        if any(OBJECT_KWARGS.search(n) for n in names):
            routes.setdefault(name, pattern)
    return routes


def test_every_object_route_is_classified():
    routes = object_routes()
    unclassified = sorted(
        name
        for name in routes
        if name not in ROUTES
        and name not in NOT_PER_ORGANISATION
        and not any(name.startswith(prefix) for prefix in NOT_PER_ORGANISATION_PREFIXES)
    )
    assert not unclassified, (
        "Classify these routes in tests/demo_park/test_cross_tenant_matrix.py (ROUTES, or "
        f"NOT_PER_ORGANISATION with the reason): {unclassified}"
    )
    stale = sorted(set(ROUTES) | set(NOT_PER_ORGANISATION)) - routes.keys()
    assert not stale, f"No longer routes: {stale}"


def _method(name, pattern) -> str:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return "get" if "get" in actions else sorted(actions)[0]
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is not None and "get" not in getattr(cls, "http_method_names", ()):
        return "post"
    return "get"


@pytest.fixture
def park(demo_park):
    """The demo park, plus one row of each kind it does not make: an enterprise import and a
    contract import by the park administrator, a case document, a notification to him."""
    from django.core.files.base import ContentFile

    from apps.accounts.models import User

    admin = User.objects.get(username="admin")
    ImportBatch.objects.create(file_name="企业.xlsx", file_sha256="0" * 64, uploaded_by=admin)
    ImportJob.objects.create(
        file=ContentFile(b"x", name="contracts.csv"),
        file_name="contracts.csv",
        file_sha256="0" * 64,
        created_by=admin,
    )
    CaseDocument.objects.create(
        case=Case.objects.order_by("pk").first(),
        title="证据",
        file=ContentFile(b"%PDF-1.4", name="e.pdf"),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    Notification.objects.create(recipient=admin, title="通知")
    # A park report and the administrator's subscription (issue 20).
    Report.objects.create(
        kind="monthly", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31), requested_by=admin
    )
    ReportSubscription.objects.create(user=admin, kind="monthly")
    # An inspection case in every town, with an order, an interview, a written review and a credit
    # grade (the demo park's inspection work is district-wide; these make every town hold some).
    from apps.core.principal import SYSTEM
    from apps.inspection import services as inspection

    for enterprise in Enterprise.objects.order_by("town_id", "name").distinct("town_id"):
        case, _created = inspection.register_case(
            SYSTEM, source="patrol", enterprise=enterprise, matters=["no_written_contract"], facts="巡查发现"
        )
        inspection.accept(SYSTEM, case)
        inspection.start_investigation(SYSTEM, case)
        inspection.decide(
            SYSTEM,
            case,
            "decide_order",
            items=["签订劳动合同"],
            order_due_on=timezone.localdate() + dt.timedelta(days=30),
        )
        if not Interview.objects.open().filter(enterprise=enterprise).exists():
            Interview.objects.create(enterprise=enterprise, case=case, proposed_on=timezone.localdate())
        WrittenReview.objects.get_or_create(
            enterprise=enterprise, year=2025, defaults={"due_on": dt.date(2026, 5, 31)}
        )
        CreditGrade.objects.get_or_create(
            enterprise=enterprise, year=2025, defaults={"grade": "B", "computed_on": timezone.localdate()}
        )
    # A serious violation decided and not yet published: only those who keep the list and the
    # inspectors read it before publication.
    SeriousViolation.objects.create(
        enterprise=Enterprise.objects.order_by("name").first(),
        decided_on=timezone.localdate(),
        decision_reference="柳人社监处〔2026〕99号",
        publish_by=timezone.localdate() + dt.timedelta(days=28),
        summary="拒不支付劳动报酬",
    )


def _principals():
    """Each role of the matrix: (label, principal, how to authenticate a request)."""
    from apps.accounts.models import User

    people = []
    for username, role in [
        ("hr", Role.ENTERPRISE_HR),
        ("union", Role.UNION_OFFICIAL),
        ("mediator", Role.MEDIATOR),
        ("inspector", Role.INSPECTOR),
    ]:
        user = User.objects.get(username=username)
        people.append((role.value, user, None))
    # HR of enterprise B: another enterprise than the demo HR's.
    hr_orgs = principal_for_user(people[0][1]).organisation_ids()
    other = Enterprise.objects.exclude(organisation_id__in=hr_orgs).order_by("name").first()
    people.insert(1, ("enterprise_hr_b", user_with_role(Role.ENTERPRISE_HR, other.organisation), None))
    # A district system restricted to one town, with every scope.
    town = Area.objects.filter(kind=Area.Kind.TOWN).order_by("code").first()
    client, key = create_api_client(
        name="matrix-town", scopes=[s for s in SCOPES if s != AUDIT_SCOPE], area=town
    )
    people.append(("api_client_town", client, key))
    # District intake (issue 15): a 12345 hotline that reads only the cases it sent (none here).
    client, key = create_api_client(name="matrix-intake", scopes=["mediation:intake"])
    people.append(("api_client_intake", client, key))
    return people


def _principal(subject, key):
    return principal_for_api_client(subject) if key else principal_for_user(subject)


def test_cross_tenant_matrix(park, client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    routes = object_routes()
    principals = _principals()
    requests = not_applicable = 0
    leaks = []
    asked: set[str] = set()
    for label, subject, key in principals:
        principal = _principal(subject, key)
        client.logout()
        if not key:
            client.force_login(subject)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        for name, target in ROUTES.items():
            if key and not name.startswith("v1:"):
                continue  # an API key opens only /api/: the pages answer it as anonymous
            visible = target.visible_rows(principal).values("pk")
            row = target.model.objects.exclude(pk__in=visible).order_by("pk").first()
            if row is None:
                not_applicable += 1  # the role sees every row of this model (or there is none)
                continue
            url = reverse(name, kwargs=target.kwargs(row))
            method = _method(name, routes[name])
            response = getattr(client, method)(url, **headers)
            if method == "get" and response.status_code == 405:
                method = "post"
                response = client.post(url, **headers)
            requests += 1
            asked.add(name)
            if response.status_code not in (403, 404):
                leaks.append(f"{label} {method.upper()} {url} ({name}): {response.status_code}")
    cells = sum(1 for _label, _s, key in principals for name in ROUTES if not key or name.startswith("v1:"))
    print(
        f"\ncross-tenant matrix: {len(ROUTES)} routes ({sum(n.startswith('v1:') for n in ROUTES)} API), "
        f"{len(principals)} roles, {cells} cells, {requests} requests, {not_applicable} where the role "
        f"sees every row, {len(NOT_PER_ORGANISATION) + len(NOT_PER_ORGANISATION_PREFIXES)} classes "
        "left out with a reason"
    )
    unasked = sorted(set(ROUTES) - asked)
    print(f"routes no role could be asked (no row outside a role's scope in the demo park): {unasked}")
    assert not leaks, "\n".join(leaks)
    assert requests > 300
    assert not unasked, unasked
