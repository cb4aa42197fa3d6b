import pytest

from apps.documents import services


@pytest.fixture
def make_document(django_capture_on_commit_callbacks):
    """Request a sample PDF and run its rendering task (queued on commit); returns it fresh."""

    def make(title="调解协议书", body="申请人王伟", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            doc = services.request_document(
                kind="sample",
                title="测试文书",
                template_name="documents/sample.html",
                context={"title": title, "body": body},
                **kwargs,
            )
        doc.refresh_from_db()
        return doc

    return make
