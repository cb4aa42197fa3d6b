import io

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from apps.documents import services
from apps.documents.models import GeneratedDocument

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    # Headings are letter-spaced, so the extractor puts spaces between characters: drop them.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")


def test_chinese_text_is_really_in_the_pdf():
    pdf = services.render_pdf(
        "documents/sample.html", {"title": "劳动关系和谐企业证书", "body": "柳州华达汽车零部件有限公司"}
    )
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "劳动关系和谐企业证书" in text
    assert "柳州华达汽车零部件有限公司" in text


def test_pdf_embeds_a_cjk_font():
    pdf = services.render_pdf("documents/sample.html", {"title": "证书", "body": "和谐"})
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in f for f in fonts), fonts


@pytest.mark.parametrize(
    "url", ["https://example.com/logo.png", "http://127.0.0.1:8000/", "file:///etc/passwd"]
)
def test_network_and_outside_files_are_refused(url):
    with pytest.raises(services.ForbiddenFetch):
        services.StaticOnlyFetcher().fetch(url)


def test_a_template_with_a_remote_image_does_not_render(settings, tmp_path):
    (tmp_path / "remote.html").write_text('<img src="https://example.com/x.png"><p>远程</p>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with pytest.raises(services.ForbiddenFetch):
        services.render_pdf("remote.html")


def test_static_files_are_read_from_disk():
    response = services.StaticOnlyFetcher().fetch("file:///static/css/app.css")
    try:
        assert b"app-navbar" in response.read()
    finally:
        response.close()


def test_request_document_renders_after_commit_and_stores_hash(make_document, park_admin):
    doc = make_document(owner=park_admin, created_by=park_admin)
    assert doc.status == GeneratedDocument.Status.READY
    assert len(doc.sha256) == 64
    assert doc.size > 1000
    with doc.file.open("rb") as fh:
        data = fh.read()
    assert services.sha256_of(data) == doc.sha256
    assert "调解协议书" in _text(data)
    assert services.verify(doc)
    # Idempotent: rendering again leaves the stored file alone.
    again = services.render_and_store(doc.pk)
    assert again.sha256 == doc.sha256 and again.file.name == doc.file.name


def test_tampered_file_fails_verification(make_document):
    doc = make_document()
    name = doc.file.name
    doc.file.storage.delete(name)
    doc.file.storage.save(name, ContentFile(b"%PDF-1.7 forged"))
    assert not services.verify(doc)


def test_documents_are_scoped(park_admin, hr_a, hr_b):
    from apps.core.principal import principal_for_user

    doc = GeneratedDocument.objects.create(kind="x", title="t", template_name="t", created_by=hr_a)
    assert GeneratedDocument.objects.visible_to(principal_for_user(hr_a)).filter(pk=doc.pk).exists()
    assert not GeneratedDocument.objects.visible_to(principal_for_user(hr_b)).filter(pk=doc.pk).exists()
    assert GeneratedDocument.objects.visible_to(principal_for_user(park_admin)).filter(pk=doc.pk).exists()
