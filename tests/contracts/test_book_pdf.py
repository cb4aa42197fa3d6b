"""Issue 18, item 7: the contract book (一户一册) as a PDF is rendered by Celery (documents.render,
eager in tests) with every row of every list; before, it rendered in the request and each list
stopped at 100 rows. The pages show it pending, then ready to download; the enterprise's HR and
park administrators may generate and download it, nobody else (404; 403 without the permission)."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.contracts import services
from apps.core.personal_data import mask_id_number
from apps.documents.models import GeneratedDocument
from tests.factories import user_with_role

from .conftest import id_number, p, row

pytestmark = pytest.mark.django_db

#: More than the 100 rows a list had before.
ROWS = 130


def text_of(response) -> str:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def many(ent_a, park_admin, policy):
    rows = [row(ent_a, n, probation_end="", contract_number=f"HT-{n:05d}") for n in range(1, ROWS + 1)]
    result = services.file_batch(p(park_admin), rows)
    assert not result.errors and len(result.created) == ROWS
    return result.created


def generate(client, enterprise, capture, *, execute=True):
    with capture(execute=execute):
        return client.post(
            reverse("contracts:book_pdf_generate", args=[enterprise.pk]),
            {"next": reverse("contracts:book_list", args=[enterprise.pk, "in_force"])},
        )


def state(client, enterprise) -> str:
    html = client.get(reverse("contracts:book_list", args=[enterprise.pk, "in_force"])).content.decode()
    return re.search(r'data-testid="book-pdf" data-state="(\w+)"', html).group(1)


def test_generate_then_download_every_row(
    client, many, ent_a, ent_hr_a, park_admin, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(ent_hr_a)
    assert state(client, ent_a) == "none"
    assert client.get(reverse("contracts:book_pdf", args=[ent_a.pk])).status_code == 404
    # Queued, not rendered yet: the page says so and there is nothing to download.
    response = generate(client, ent_a, django_capture_on_commit_callbacks, execute=False)
    assert response.status_code == 302 and response["Location"].endswith("/in_force/")
    assert state(client, ent_a) == "pending"
    assert client.get(reverse("contracts:book_pdf", args=[ent_a.pk])).status_code == 404
    # Rendered by the (eager) worker: ready, and every row is in the PDF.
    generate(client, ent_a, django_capture_on_commit_callbacks)
    assert state(client, ent_a) == "ready"
    document = GeneratedDocument.objects.filter(kind=services.BOOK_KIND, status="ready").get()
    assert document.created_by == ent_hr_a and document.object_id == str(ent_a.pk)
    response = client.get(reverse("contracts:book_pdf", args=[ent_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == document.sha256
    text = text_of(response)
    assert "合同备案台账" in text and f"（{ROWS}）" in text  # the list of contracts in force, counted
    for n in (1, 100, 101, ROWS):
        assert f"HT-{n:05d}" in text and mask_id_number(id_number(n)) in text
        assert id_number(n) not in text
    assert "仅列前" not in text
    # The park administrator downloads the same book; each download and each export is audited.
    client.force_login(park_admin)
    assert client.get(reverse("contracts:book_pdf", args=[ent_a.pk])).status_code == 200
    exports = AuditEvent.objects.filter(action="contracts.export_book", after__format="pdf")
    assert exports.count() == 2 and {e.after["rows"] for e in exports} >= {ROWS}
    assert AuditEvent.objects.filter(action="contracts.download_book").count() == 2


def test_the_dossier_offers_the_pdf(client, many, ent_a, ent_hr_a, django_capture_on_commit_callbacks):
    client.force_login(ent_hr_a)
    html = client.get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert 'data-testid="book-pdf-generate"' in html and 'data-state="none"' in html
    generate(client, ent_a, django_capture_on_commit_callbacks)
    html = client.get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert 'data-testid="book-pdf-download"' in html


def test_another_enterprise_and_other_roles_may_not(
    client, many, ent_a, ent_hr_a, ent_hr_b, django_capture_on_commit_callbacks
):
    client.force_login(ent_hr_a)
    generate(client, ent_a, django_capture_on_commit_callbacks)
    count = GeneratedDocument.objects.count()
    client.force_login(ent_hr_b)
    assert generate(client, ent_a, django_capture_on_commit_callbacks).status_code == 404
    assert client.get(reverse("contracts:book_pdf", args=[ent_a.pk])).status_code == 404
    client.force_login(user_with_role(Role.UNION_OFFICIAL))
    assert generate(client, ent_a, django_capture_on_commit_callbacks).status_code == 403
    assert client.get(reverse("contracts:book_pdf", args=[ent_a.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("contracts:book_pdf", args=[ent_a.pk])).status_code == 302
    assert GeneratedDocument.objects.count() == count
    # A "next" to another site is not followed.
    client.force_login(ent_hr_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("contracts:book_pdf_generate", args=[ent_a.pk]), {"next": "https://evil.example/"}
        )
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert client.get(reverse("contracts:book_pdf_generate", args=[ent_a.pk])).status_code == 405
