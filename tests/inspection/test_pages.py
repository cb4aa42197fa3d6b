"""The inspector's case list and case page with its action buttons: scoped (404 outside), the
actions the table allows as buttons, each action through its page, junk answered with a form
error and no write, the reporter shown only on request to those who may see it."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.inspection.models import InspectionCase, RectificationOrder, Source

from .conftest import p

pytestmark = pytest.mark.django_db

S = InspectionCase.Status


def login(client, user):
    client.force_login(user)
    return client


def action_url(case, action):
    return reverse("inspection:action", args=[case.pk, action])


def test_list_is_scoped_and_filtered(client, make_case, ent_b, inspector):
    mine = make_case()
    other = make_case(enterprise=ent_b)
    page = login(client, inspector).get(reverse("inspection:list")).content.decode()
    assert mine.serial in page and other.serial not in page
    page = client.get(reverse("inspection:list"), {"status": "accepted", "source": "junk", "page": "x"})
    assert page.status_code == 200 and mine.serial not in page.content.decode()


def test_detail_404_outside_scope_and_403_without_the_role(client, make_case, ent_b, inspector, ent_hr_b):
    other = make_case(enterprise=ent_b)
    assert login(client, inspector).get(reverse("inspection:detail", args=[other.pk])).status_code == 404
    client.logout()
    assert login(client, ent_hr_b).get(reverse("inspection:detail", args=[other.pk])).status_code == 404


def test_buttons_are_the_tables_answer(client, make_case, inspector):
    case = make_case()
    page = login(client, inspector).get(reverse("inspection:detail", args=[case.pk])).content.decode()
    for action in ("accept", "refuse", "transfer_to_mediation"):
        assert f'data-testid="action-{action}"' in page
    assert 'data-testid="action-close"' not in page
    # An action not possible now says why instead of showing a form.
    page = client.get(action_url(case, "close")).content.decode()
    assert 'data-testid="action-refusal"' in page


def test_a_case_walked_through_its_pages(client, make_case, inspector, park_admin):
    case = make_case()
    c = login(client, inspector)
    assert c.post(action_url(case, "accept")).status_code == 302
    assert c.post(action_url(case, "start_investigation")).status_code == 302
    # Junk: a form error, no write.
    response = c.post(action_url(case, "decide_order"), {"items": "", "order_due_on": "2026-99-99"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not RectificationOrder.objects.exists()
    due = (case.received_on + dt.timedelta(days=20)).isoformat()
    assert c.post(action_url(case, "request_extension"), {"reason": "需调取银行流水"}).status_code == 302
    response = c.post(action_url(case, "decide_order"), {"items": "补发工资\n签订合同", "order_due_on": due})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.DECIDED and case.orders.get().items == ["补发工资", "签订合同"]
    assert c.post(action_url(case, "start_follow_up")).status_code == 302
    assert c.post(action_url(case, "record_follow_up"), {"result": "done"}).status_code == 302
    assert c.post(action_url(case, "close")).status_code == 302
    case.refresh_from_db()
    assert case.status == S.CLOSED


def test_refuse_page_needs_ground_and_reason(client, make_case, inspector):
    case = make_case()
    c = login(client, inspector)
    response = c.post(action_url(case, "refuse"), {"refusal_basis": "", "reason": ""})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    response = c.post(action_url(case, "refuse"), {"refusal_basis": "outside_area", "reason": "不属于本园区"})
    assert response.status_code == 302


def test_hr_cannot_act_and_the_inspector_cannot_approve(client, make_case, inspector, ent_hr_a):
    case = make_case()
    assert login(client, ent_hr_a).post(action_url(case, "accept")).status_code in (403, 404)
    client.logout()
    assert login(client, inspector).get(action_url(case, "extend")).status_code == 403
    assert client.get(action_url(case, "no_such_action")).status_code == 404


def test_reporter_shown_only_on_request_and_audited(client, make_case, inspector, ent_hr_a):
    from apps.inspection import services

    case = make_case(source=Source.REPORT, reporter={"name": "保密举报人", "phone": "13900000002"})
    url = reverse("inspection:detail", args=[case.pk])
    c = login(client, inspector)
    page = c.get(url).content.decode()
    assert "保密举报人" not in page and 'data-testid="reveal-reporter"' in page
    assert not AuditEvent.objects.filter(action="view_full:reporter").exists()
    page = c.get(url, {"reveal": "reporter"}).content.decode()
    assert "保密举报人" in page
    assert AuditEvent.objects.filter(action="view_full:reporter").count() == 1
    # HR of the enterprise, once an order makes the case visible to them, never gets it.
    me = p(inspector)
    case = services.start_investigation(me, services.accept(me, case))
    services.decide(me, case, "decide_order", items=["x"], order_due_on=case.received_on + dt.timedelta(3))
    client.logout()
    page = login(client, ent_hr_a).get(url, {"reveal": "reporter"}).content.decode()
    assert case.serial in page and "保密举报人" not in page and "13900000002" not in page


def test_transfer_to_mediation_page_shows_the_access_code(client, make_case, inspector):
    case = make_case()
    response = login(client, inspector).post(
        action_url(case, "transfer_to_mediation"), {"reason": "属劳动争议"}, follow=True
    )
    case.refresh_from_db()
    assert case.mediation_case is not None
    assert case.mediation_case.serial in response.content.decode()


def test_the_inspectors_home_page_shows_the_days_work(client, make_case, ent_b, inspector, monkeypatch):
    from .conftest import travel

    travel(monkeypatch, dt.date(2026, 9, 30))
    late = make_case()  # to decide by Oct 13
    make_case(enterprise=ent_b)  # another brigade's
    travel(monkeypatch, dt.date(2026, 10, 14))
    fresh = make_case()
    page = login(client, inspector).get(reverse("dashboard:home")).content.decode()
    assert reverse("inspection:list") + "?overdue=true" in page
    listed = client.get(reverse("inspection:list"), {"overdue": "true"}).content.decode()
    assert late.serial in listed and fresh.serial not in listed
    from apps.inspection import selectors

    cards = {c["url"]: c["value"] for c in selectors.home_cards(p(inspector))}
    assert cards[reverse("inspection:list") + "?status=received"] == 2
    assert cards[reverse("inspection:list") + "?overdue=true"] == 1


def test_register_a_case_at_the_counter(client, ent_a, inspector, ent_hr_a):
    from apps.inspection.models import Reporter, Worker

    c = login(client, inspector)
    assert c.get(reverse("inspection:create")).status_code == 200
    # Junk: errors on the form, nothing written.
    response = c.post(
        reverse("inspection:create"),
        {"source": "complaint", "matters": ["bribery"], "amount_owed": "lots", "worker_id_number": "123"},
    )
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not InspectionCase.objects.exists()
    response = c.post(
        reverse("inspection:create"),
        {
            "source": "complaint",
            "enterprise": ent_a.pk,
            "matters": ["wage_arrears", "hours_overtime"],
            "facts": "拖欠三个月工资",
            "amount_owed": "36000",
            "workers_count": "3",
            "worker_name": "黄工人",
            "worker_phone": "13800001111",
        },
    )
    case = InspectionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspection:detail", args=[case.pk]
    )
    assert case.matters == ["wage_arrears", "hours_overtime"] and case.workers_count == 3
    assert Worker.objects.get(case=case).is_complainant
    response = c.post(
        reverse("inspection:create"),
        {
            "source": "report",
            "employer_name": "某劳务队",
            "town": ent_a.town.pk,
            "matters": ["child_labour"],
            "reporter_name": "知情人",
            "source_reference": "R-1",
        },
    )
    report = InspectionCase.objects.get(source="report")
    assert Reporter.objects.get(case=report).name == "知情人"
    # The same reference again: the case already registered, no second one.
    c.post(
        reverse("inspection:create"), {"source": "report", "source_reference": "R-1", "matters": ["other"]}
    )
    assert InspectionCase.objects.filter(source_reference="R-1").count() == 1
    client.logout()
    assert login(client, ent_hr_a).get(reverse("inspection:create")).status_code == 403


def test_the_park_rejects_an_extension_on_its_page_saying_why(client, make_case, inspector, park_admin):
    from apps.inspection.models import Extension

    case = make_case()
    c = login(client, inspector)
    for action in ("accept", "start_investigation"):
        assert c.post(action_url(case, action)).status_code == 302
    assert (
        c.post(action_url(case, "request_extension"), {"reason": "涉及人数多，需调取银行流水"}).status_code
        == 302
    )
    # The inspector may not reject (nor approve) it.
    assert c.get(action_url(case, "reject_extension")).status_code == 403
    c.logout()
    c = login(client, park_admin)
    page = c.get(reverse("inspection:detail", args=[case.pk])).content.decode()
    assert 'data-testid="action-extend"' in page and 'data-testid="action-reject_extension"' in page
    # Without a reason: a form error, nothing written.
    response = c.post(action_url(case, "reject_extension"), {"note": "  "})
    assert response.status_code == 200
    assert Extension.objects.get(case=case).status == Extension.Status.REQUESTED
    assert c.post(action_url(case, "reject_extension"), {"note": "理由不充分"}).status_code == 302
    extension = Extension.objects.get(case=case)
    assert (extension.status, extension.decision_note) == (Extension.Status.REJECTED, "理由不充分")
    # Nothing waits any more: neither button, and the page says why.
    page = c.get(reverse("inspection:detail", args=[case.pk])).content.decode()
    assert 'data-testid="action-reject_extension"' not in page
    assert 'data-testid="action-refusal"' in c.get(action_url(case, "reject_extension")).content.decode()


def test_an_unregistered_employer_is_linked_to_the_registry_later(
    client, make_case, inspector, far_inspector, ent_a, ent_b, park_admin, ent_hr_a
):
    case = make_case(employer_name="柳东某某劳务队", town=ent_a.town, employer_code="")
    assert case.enterprise is None
    c = login(client, inspector)
    page = c.get(reverse("inspection:detail", args=[case.pk])).content.decode()
    assert 'data-testid="action-link_enterprise"' in page
    # A code the registry does not hold (or junk): a field error, nothing changed.
    for junk in ("91450200MA5XXXXXXX", "", "x" * 300):
        response = c.post(action_url(case, "link_enterprise"), {"uscc": junk})
        assert response.status_code == 200
        case.refresh_from_db()
        assert case.enterprise is None and case.employer_name == "柳东某某劳务队"
    assert c.post(action_url(case, "link_enterprise"), {"uscc": ent_a.uscc.lower()}).status_code == 302
    case.refresh_from_db()
    assert (case.enterprise, case.employer_name, case.employer_code) == (ent_a, ent_a.name, ent_a.uscc)
    assert AuditEvent.objects.filter(action="inspection.link_enterprise", object_id=str(case.pk)).exists()
    # Linked once: the button is gone and the page says why.
    assert (
        'data-testid="action-link_enterprise"'
        not in c.get(reverse("inspection:detail", args=[case.pk])).content.decode()
    )
    assert 'data-testid="action-refusal"' in c.get(action_url(case, "link_enterprise")).content.decode()
    # HR may not link; another brigade does not see the case.
    other = make_case(employer_name="另一劳务队", town=ent_a.town)
    assert login(client, ent_hr_a).post(
        action_url(other, "link_enterprise"), {"uscc": ent_a.uscc}
    ).status_code in (403, 404)
    assert login(client, far_inspector).get(action_url(other, "link_enterprise")).status_code == 404
    # Linked to an enterprise of another town, the case moves to that town's brigade.
    c = login(client, park_admin)
    assert c.post(action_url(other, "link_enterprise"), {"uscc": ent_b.uscc}).status_code == 302
    other.refresh_from_db()
    assert (other.enterprise, other.town) == (ent_b, ent_b.town)
    assert login(client, inspector).get(reverse("inspection:detail", args=[other.pk])).status_code == 404
