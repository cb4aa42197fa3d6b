"""The order to rectify and the interview notice as PDFs: rendered by Celery (eager in tests) into
GeneratedDocument, numbered when issued, with the number in the text; downloaded by the
inspector and the enterprise's own HR, 404 for another enterprise's HR and another area's
inspector; generated only by those who handle cases and interviews."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from apps.core.errors import InvalidTransition, NotAllowed
from apps.documents.models import GeneratedDocument
from apps.inspection import services
from apps.inspection.selectors import interviews as reads

from .conftest import p, valid_id_number

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def text_of(response) -> str:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    # The title is letter-spaced: compare without spaces.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


@pytest.fixture
def order(make_case, inspector):
    case = make_case()
    me = p(inspector)
    services.accept(me, case)
    services.start_investigation(me, case)
    services.decide(
        me,
        case,
        "decide_order",
        items=["补发拖欠工资", "签订书面劳动合同"],
        order_due_on=today() + dt.timedelta(days=15),
    )
    return case.orders.get()


def test_order_pdf_generated_numbered_and_downloaded(
    client, order, inspector, ent_hr_a, ent_hr_b, far_inspector, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        doc = services.render_order_document(p(inspector), order)
    order.refresh_from_db()
    assert order.reference == f"{order.case.serial}-Z1"
    doc.refresh_from_db()
    assert doc.status == GeneratedDocument.Status.READY and doc.size > 0 and len(doc.sha256) == 64
    assert doc.kind == "inspection_order" and reads.latest_document(order) == doc
    assert doc.context["order_source"] == "劳动保障监察条例第十八条"
    url = reverse("inspection:order_pdf", args=[order.pk])
    client.force_login(inspector)
    text = text_of(client.get(url))
    assert order.reference in text
    assert "责令改正通知书" in text
    # The enterprise's own HR downloads it; another enterprise's HR and another area's inspector: 404.
    client.force_login(ent_hr_a)
    assert order.reference in text_of(client.get(url))
    page = client.get(reverse("inspection:detail", args=[order.case_id])).content.decode()
    assert 'data-testid="order-download"' in page and 'data-testid="order-generate"' not in page
    for user in (ent_hr_b, far_inspector):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_order_pdf_from_the_case_page(client, order, inspector, django_capture_on_commit_callbacks):
    client.force_login(inspector)
    page = client.get(reverse("inspection:detail", args=[order.case_id])).content.decode()
    assert 'data-testid="order-generate"' in page
    assert client.get(reverse("inspection:order_pdf", args=[order.pk])).status_code == 404  # none yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inspection:order_pdf_generate", args=[order.pk]))
    assert response.status_code == 302
    assert client.get(reverse("inspection:order_pdf", args=[order.pk])).status_code == 200
    # A second rendering keeps the number.
    reference = type(order).objects.get(pk=order.pk).reference
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inspection:order_pdf_generate", args=[order.pk]))
    assert type(order).objects.get(pk=order.pk).reference == reference
    assert GeneratedDocument.objects.for_object(order).count() == 2


def test_only_case_handlers_generate_the_order(client, order, ent_hr_a, far_inspector):
    with pytest.raises(NotAllowed):
        services.render_order_document(p(ent_hr_a), order)
    with pytest.raises(NotAllowed):
        services.render_order_document(p(far_inspector), order)
    client.force_login(ent_hr_a)
    assert client.post(reverse("inspection:order_pdf_generate", args=[order.pk])).status_code == 403
    client.force_login(far_inspector)
    assert client.post(reverse("inspection:order_pdf_generate", args=[order.pk])).status_code == 404
    assert not GeneratedDocument.objects.exists()


def test_interview_notice_pdf(
    client, ent_a, inspector, ent_hr_a, ent_hr_b, far_inspector, django_capture_on_commit_callbacks
):
    interview = services.propose_interview(p(inspector), ent_a, reason="三个月内多次欠薪投诉")
    # Before the notice is sent there is no time and place to print.
    with pytest.raises(InvalidTransition):
        services.render_interview_notice(p(inspector), interview)
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.send_interview_notice(
            p(inspector),
            interview,
            scheduled_at=timezone.now() + dt.timedelta(days=3),
            place="园区人社局302会议室",
        )
    doc = reads.latest_document(interview)
    assert doc.status == GeneratedDocument.Status.READY and doc.kind == "inspection_interview_notice"
    url = reverse("inspection:interview_notice_pdf", args=[interview.pk])
    client.force_login(ent_hr_a)
    page = client.get(reverse("inspection:interview", args=[interview.pk])).content.decode()
    assert 'data-testid="notice-download"' in page and 'data-testid="notice-generate"' not in page
    text = text_of(client.get(url))
    assert interview.reference in text and "约谈通知书" in text
    for user in (ent_hr_b, far_inspector):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(ent_hr_a)
    assert (
        client.post(reverse("inspection:interview_notice_generate", args=[interview.pk])).status_code == 403
    )


def test_hr_opens_the_escalated_interview_and_its_order(
    client, order, inspector, ent_hr_a, django_capture_on_commit_callbacks
):
    """The journey's end: the follow-up fails, an interview is proposed, the notice is sent; the
    enterprise's HR sees the order and the interview notice."""
    me = p(inspector)
    services.start_follow_up(me, order.case)
    with django_capture_on_commit_callbacks(execute=True):
        services.render_order_document(me, order)
    services.record_follow_up(me, order, result="not_done", escalation="interview_proposed")
    interview = order.interviews.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_interview_notice(
            me, interview, scheduled_at=timezone.now() + dt.timedelta(days=2), place="会议室"
        )
    client.force_login(ent_hr_a)
    page = client.get(reverse("inspection:interview", args=[interview.pk])).content.decode()
    assert 'data-testid="order-download"' in page and 'data-testid="notice-download"' in page
    assert client.get(reverse("inspection:order_pdf", args=[order.pk])).status_code == 200
    assert client.get(reverse("inspection:interview_notice_pdf", args=[interview.pk])).status_code == 200


def test_the_order_of_a_report_never_names_the_reporter_nor_a_worker(
    client, make_case, inspector, django_capture_on_commit_callbacks
):
    """劳动保障监察条例 art. 9: the document served on the enterprise says nothing of who reported."""
    case = make_case(
        source="report",
        reporter={"name": "欧阳举报", "phone": "13907710001", "id_number": valid_id_number(42)},
    )
    me = p(inspector)
    services.accept(me, case)
    services.start_investigation(me, case)
    services.decide(
        me, case, "decide_order", items=["补发工资"], order_due_on=today() + dt.timedelta(days=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        doc = services.render_order_document(me, case.orders.get())
    client.force_login(inspector)
    text = text_of(client.get(reverse("inspection:order_pdf", args=[doc.object_id])))
    assert "责令改正通知书" in text
    for secret in ("欧阳举报", "13907710001", valid_id_number(42), "举报人"):
        assert secret not in text
    assert "欧阳举报" not in str(doc.context)
