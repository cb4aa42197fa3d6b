"""Evidence files: the type decided by content, the size limit, the stored SHA-256, and who may add
what in which status (the enterprise before submission, the reviewer's on-site record during the
review)."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook
from PIL import Image

from apps.audit.models import AuditEvent
from apps.certification import rules, services
from apps.certification.models import Application, Evidence, Item
from apps.core.errors import DomainError, NotAllowed

from .conftest import PDF_BYTES, build, complete, p, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(ent_a_old, ent_hr_a, cert_round):
    return build(ent_hr_a, ent_a_old, cert_round)


@pytest.fixture
def item(draft):
    return Item.objects.filter(category__rule_set=draft.rule_set, evidence_required=True).first()


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "岗位", "合同签订日期"])
    ws.append(["王强", "装配工", "2025-03-01"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def docx_bytes() -> bytes:
    """A minimal Word document (the OOXML parts Word itself needs)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>厂务公开记录</w:t></w:r></w:p></w:body></w:document>",
        )
    return buf.getvalue()


ACCEPTED = [
    ("合同签订台账.pdf", lambda: PDF_BYTES, "application/pdf"),
    ("公示照片.png", png_bytes, "image/png"),
    ("职工名册.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("公开记录.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
]


@pytest.mark.parametrize(("name", "make", "mime"), ACCEPTED, ids=["pdf", "png", "xlsx", "docx"])
def test_accepted_types_are_stored_with_their_hash(draft, item, ent_hr_a, name, make, mime):
    data = make()
    uploaded = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    ev = services.add_evidence(p(ent_hr_a), draft, uploaded, purpose=Evidence.Purpose.ITEM, item=item)
    ev.refresh_from_db()
    assert ev.content_type == mime  # by content, not by the browser's claim
    assert ev.original_name == name
    assert ev.size == len(data)
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    assert ev.item == item and ev.uploaded_by == ent_hr_a
    with ev.file.open("rb") as fh:
        stored = fh.read()
    assert stored == data
    assert name not in ev.file.name  # stored under a random name
    assert AuditEvent.objects.for_object(ev).filter(action="certification.add_evidence").exists()


def test_disclosure_evidence_has_no_item(draft, item, ent_hr_a):
    ev = services.add_evidence(
        p(ent_hr_a), draft, pdf_upload("公示.pdf"), purpose=Evidence.Purpose.DISCLOSURE, item=item
    )
    assert ev.item is None and ev.purpose == Evidence.Purpose.DISCLOSURE


def test_item_evidence_needs_an_item_of_the_form(draft, ent_hr_a):
    with pytest.raises(DomainError) as exc:
        services.add_evidence(p(ent_hr_a), draft, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=None)
    assert list(exc.value.fields) == ["item"]


MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        ("伪装.pdf", "这不是PDF，只是一段文字。".encode(), "not one of the accepted types"),
        ("setup.exe", MZ, "not one of the accepted types"),
        ("合同.pdf", MZ, "not one of the accepted types"),
        ("empty.pdf", b"", "The file is empty."),
    ],
    ids=["text-named-pdf", "exe", "exe-named-pdf", "empty"],
)
def test_refused_files(draft, item, ent_hr_a, name, data, text):
    uploaded = SimpleUploadedFile(name, data, content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        services.add_evidence(p(ent_hr_a), draft, uploaded, purpose=Evidence.Purpose.ITEM, item=item)
    assert list(exc.value.fields) == ["file"]
    assert text in exc.value.fields["file"][0]
    assert not Evidence.objects.exists()


def test_default_limit_is_10_mb():
    assert rules.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024


def test_a_file_over_the_limit_is_refused(draft, item, ent_hr_a, monkeypatch):
    monkeypatch.setattr(rules, "EVIDENCE_MAX_BYTES", len(PDF_BYTES) + 100)
    just_fits = PDF_BYTES + b"%" * 100
    ev = services.add_evidence(
        p(ent_hr_a), draft, SimpleUploadedFile("ok.pdf", just_fits), purpose=Evidence.Purpose.ITEM, item=item
    )
    assert ev.size == rules.EVIDENCE_MAX_BYTES
    too_big = just_fits + b"%"
    with pytest.raises(DomainError) as exc:
        services.add_evidence(
            p(ent_hr_a),
            draft,
            SimpleUploadedFile("big.pdf", too_big),
            purpose=Evidence.Purpose.ITEM,
            item=item,
        )
    assert list(exc.value.fields) == ["file"]
    assert "the limit is" in exc.value.fields["file"][0]
    assert Evidence.objects.count() == 1


def test_no_evidence_after_submission(draft, ent_hr_a, item):
    app = services.submit(p(ent_hr_a), complete(draft, ent_hr_a))
    count = app.evidence.count()
    with pytest.raises(DomainError) as exc:
        services.add_evidence(p(ent_hr_a), app, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=item)
    assert exc.value.code == "invalid_transition"
    assert "Submitted" in str(exc.value)
    with pytest.raises(DomainError):
        services.delete_evidence(p(ent_hr_a), app.evidence.first())
    assert app.evidence.count() == count


def test_evidence_again_once_returned(draft, ent_hr_a, item, cert_admin):
    app = services.submit(p(ent_hr_a), complete(draft, ent_hr_a))
    app = services.return_for_revision(p(cert_admin), app, "请补充社保缴费凭证")
    ev = services.add_evidence(p(ent_hr_a), app, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=item)
    services.delete_evidence(p(ent_hr_a), ev)
    assert not Evidence.objects.filter(pk=ev.pk).exists()


def test_site_visit_record_only_by_the_reviewer_during_the_review(draft, ent_hr_a, cert_admin):
    site = Evidence.Purpose.SITE_VISIT
    # The enterprise never adds the reviewer's record, whatever the status.
    with pytest.raises(NotAllowed):
        services.add_evidence(p(ent_hr_a), draft, pdf_upload(), purpose=site)
    app = services.submit(p(ent_hr_a), complete(draft, ent_hr_a))
    # The reviewer only once the review has started.
    with pytest.raises(DomainError) as exc:
        services.add_evidence(p(cert_admin), app, pdf_upload(), purpose=site)
    assert exc.value.code == "invalid_transition"
    app = services.start_review(p(cert_admin), app)
    with pytest.raises(NotAllowed):
        services.add_evidence(p(ent_hr_a), app, pdf_upload(), purpose=site)
    ev = services.add_evidence(p(cert_admin), app, SimpleUploadedFile("现场.png", png_bytes()), purpose=site)
    assert (ev.purpose, ev.item, ev.uploaded_by, ev.content_type) == (site, None, cert_admin, "image/png")
    # Nor may the enterprise delete it.
    with pytest.raises(NotAllowed):
        services.delete_evidence(p(ent_hr_a), ev)
    assert Application.objects.get(pk=app.pk).evidence.filter(purpose=site).count() == 1
