import pytest

from apps.documents.models import GeneratedDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_doc(make_document, hr_a):
    return make_document(created_by=hr_a)


def test_owner_downloads_with_hash_header(client, hr_a, ready_doc):
    client.force_login(hr_a)
    response = client.get(f"/documents/{ready_doc.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == ready_doc.sha256
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_other_enterprise_gets_404(client, hr_b, ready_doc):
    client.force_login(hr_b)
    assert client.get(f"/documents/{ready_doc.pk}/download/").status_code == 404


def test_pending_document_is_404(client, hr_a):
    doc = GeneratedDocument.objects.create(kind="x", title="t", template_name="t", created_by=hr_a)
    client.force_login(hr_a)
    assert client.get(f"/documents/{doc.pk}/download/").status_code == 404


def test_anonymous_is_sent_to_login(client, ready_doc):
    response = client.get(f"/documents/{ready_doc.pk}/download/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
