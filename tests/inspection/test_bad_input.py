"""Bad input never reaches a 500 nor writes anything: every inspection page, walked from the URL
configuration (a new route is covered without anyone remembering to), asked with GET and POSTed
junk by each kind of user. (Each room's own tests check its field messages.)"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, reverse
from django.utils import timezone

from apps.core.principal import SYSTEM
from apps.inspection import services
from apps.inspection import urls as inspection_urls
from apps.inspection.models import (
    Attachment,
    CreditGrade,
    Extension,
    InspectionCase,
    Interview,
    Patrol,
    PatrolFinding,
    PatrolPlan,
    RectificationOrder,
    SeriousViolation,
    WageArrearsListing,
    WrittenReview,
)
from apps.inspection.selectors.patrols import checklist_for

pytestmark = pytest.mark.django_db

JUNK = {
    "source": "../../etc",
    "enterprise": "-1",
    "town": "not-a-uuid",
    "matters": ["junk", "wage_arrears\x00"],
    "employer_name": "x" * 500,
    "amount_owed": "NaN",
    "workers_count": "-5",
    "received_on": "2026-02-31",
    "violation_ended_on": "yesterday",
    "items": "\x00",
    "order_due_on": "31/31/2031",
    "result": "maybe",
    "escalation": "<script>",
    "refusal_basis": "zzz",
    "reason": "",
    "note": "",
    "scheduled_at": "soon",
    "place": "x" * 500,
    "held_on": "never",
    "rectify_by": "2026-13-01",
    "visited_on": "tomorrow",
    "year": "MMXXV",
    "headcount": "-1",
    "contracts_signed": "1e9",
    "lowest_monthly_wage": "abc",
    "average_weekly_hours": "200",
    "listed_on": "0000-00-00",
    "decision_reference": "",
    "decided_on": "x",
    "published_on": "y",
    "starts_on": "z",
    "ends_on": "2026-02-30",
    "with_order": "perhaps",
    "consent": "no",
    "kind": "both",
    "id_number": "123",
    "serial": "JC' OR 1=1",
    "code": "%00",
    "form-TOTAL_FORMS": "abc",
}
ACTIONS = {
    "inspection:action": [
        "accept",
        "extend",
        "reject_extension",
        "record_follow_up",
        "decide_order",
        "nonsense",
    ],
    "inspection:interview_action": ["send_notice", "record", "follow_up", "dismiss", "nonsense"],
}
MODELS = (
    InspectionCase,
    RectificationOrder,
    Extension,
    Interview,
    Patrol,
    PatrolFinding,
    PatrolPlan,
    Attachment,
    WrittenReview,
    WageArrearsListing,
    SeriousViolation,
    CreditGrade,
)


@pytest.fixture
def objects(make_case, ent_a):
    """One row of each kind an inspection page addresses, each in a state where the posted action
    is refused or needs fields the junk does not give."""
    today = timezone.localdate()
    case = make_case()
    services.accept(SYSTEM, case)
    services.start_investigation(SYSTEM, case)
    case = services.decide(
        SYSTEM, case, "decide_order", items=["签订劳动合同"], order_due_on=today + dt.timedelta(days=30)
    )
    order = case.orders.get()
    interview = services.propose_interview(SYSTEM, ent_a, case=case, reason="多次投诉")
    checklist = checklist_for(today)
    patrol = services.record_patrol(
        SYSTEM,
        ent_a,
        visited_on=today,
        findings=[{"item": row["code"], "result": "compliant", "note": ""} for row in checklist],
    )
    finding = patrol.findings.first()
    attachment = Attachment.objects.create(
        finding=finding,
        file=ContentFile(b"%PDF-1.4\n", name="record.pdf"),
        original_name="record.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
    )
    plan = services.create_plan(
        SYSTEM, name="年度巡查", starts_on=today, ends_on=today + dt.timedelta(days=90)
    )
    review = WrittenReview.objects.create(enterprise=ent_a, year=today.year - 1, due_on=today)
    listing = services.list_wage_arrears(
        SYSTEM, enterprise=ent_a, listed_on=today, decision_reference="柳人社失信〔2026〕7号"
    )
    violation = SeriousViolation.objects.create(
        enterprise=ent_a,
        decided_on=today,
        decision_reference="柳人社监处〔2026〕7号",
        publish_by=today,
        summary="x",
    )
    return {
        "case": case,
        "order": order,
        "interview": interview,
        "patrol": patrol,
        "finding": finding,
        "attachment": attachment,
        "plan": plan,
        "review": review,
        "listing": listing,
        "violation": violation,
    }


def _row_for(name: str, objects: dict):
    """Which object a route's <pk> addresses, by the route's name."""
    for prefix, key in (
        ("interview", "interview"),
        ("order_", "order"),
        ("patrol_plan", "plan"),
        ("patrol_attachment_add", "finding"),
        ("patrol_finding_case", "finding"),
        ("patrol_attachment", "attachment"),
        ("patrol", "patrol"),
        ("review_", "review"),
        ("arrears_", "listing"),
        ("violation_", "violation"),
    ):
        if name.startswith(prefix):
            return objects[key]
    return objects["case"]


def _urls(objects) -> list[str]:
    urls = []
    for pattern in inspection_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = f"inspection:{pattern.name}"
        params = set(pattern.pattern.regex.groupindex)
        if not params:
            urls.append(reverse(name))
            urls.append(reverse(name) + "?status=zzz&source=%00&page=-1&year=x&plan=junk&enterprise=1&view=x")
            continue
        pk = _row_for(pattern.name, objects).pk
        if "action" in params:
            urls += [reverse(name, kwargs={"pk": pk, "action": action}) for action in ACTIONS[name]]
        else:
            urls.append(reverse(name, kwargs={"pk": pk}))
        # An address that names nothing: a 404, never a 500.
        kwargs = {"pk": "00000000-0000-0000-0000-000000000000"}
        if "action" in params:
            kwargs["action"] = ACTIONS[name][0]
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def _state():
    return {
        model.__name__: sorted(
            (str(pk), status)
            for pk, status in model.objects.values_list(
                "pk", *(["status"] if hasattr(model, "status") else ["pk"])
            )
        )
        for model in MODELS
    }


@pytest.mark.parametrize("who", ["anonymous", "inspector", "hr", "park_admin"])
def test_no_inspection_page_answers_500_to_junk_nor_writes(
    client, objects, who, inspector, ent_hr_a, park_admin, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    user = {"anonymous": None, "inspector": inspector, "hr": ent_hr_a, "park_admin": park_admin}[who]
    if user is not None:
        client.force_login(user)
    before = _state()
    urls = _urls(objects)
    assert len(urls) > 60
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, JUNK if method == "post" else None)
            assert response.status_code < 500, (who, method, url, response.status_code)
    assert _state() == before
