import datetime as dt

from django.utils import timezone

from apps.certification import selectors, services
from apps.certification.models import Application, Certificate
from apps.documents.models import GeneratedDocument

from .conftest import build, complete, p, review_all


def test_whole_flow(ent_a_old, ent_hr_a, cert_round, cert_admin, django_capture_on_commit_callbacks):
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    assert selectors.submission_problems(app) == {}
    app = services.submit(p(ent_hr_a), app)
    app = services.start_review(p(cert_admin), app)
    app = review_all(app, cert_admin)
    app = services.propose(p(cert_admin), app)
    assert app.proposed_level.code == "A"
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.publish_notice(p(cert_admin), round=cert_round, applications=[app])
    app.refresh_from_db()
    assert app.status == Application.Status.IN_NOTICE
    notice.starts_on = timezone.localdate() - dt.timedelta(days=10)
    notice.ends_on = timezone.localdate() - dt.timedelta(days=1)
    notice.save()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.close_notices()
    assert result["certified"] == 1
    cert = Certificate.objects.get(application=app)
    assert cert.number.startswith("HX")
    doc = GeneratedDocument.objects.get(pk=cert.document_id)
    assert doc.status == "ready" and len(doc.sha256) == 64
