import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from apps.notifications import services
from apps.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_fills_the_inbox_and_sends_email_after_commit(django_capture_on_commit_callbacks, hr_a):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        services.notify([hr_a], title="自评材料已受理", body="请查看", link="/")
        assert len(mail.outbox) == 0  # nothing leaves before commit
    # The e-mail is queued for after the commit (beside the inbox badge's cache refresh).
    assert [c for c in callbacks if "enqueue_on_commit" in c.__qualname__]
    n = Notification.objects.get(recipient=hr_a)
    assert n.email_status == Notification.EmailStatus.SENT
    assert mail.outbox[0].subject == "自评材料已受理"
    assert mail.outbox[0].to == [hr_a.email]
    assert "http" in mail.outbox[0].body


def test_rolled_back_action_sends_nothing(django_capture_on_commit_callbacks, hr_a):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.notify([hr_a], title="x")
        raise RuntimeError
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_sending_is_idempotent(django_capture_on_commit_callbacks, hr_a):
    with django_capture_on_commit_callbacks(execute=True):
        [n] = services.notify([hr_a], title="t")
    assert services.send_email_for(n.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_failed_email_is_retried_later(django_capture_on_commit_callbacks, hr_a, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        [n] = services.notify([hr_a], title="t")
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.PENDING and n.email_attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from apps.notifications.tasks import retry_unsent_email

    assert retry_unsent_email() == 1
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.SENT


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP down")


def test_users_without_email_get_inbox_only(hr_a):
    hr_a.email = ""
    hr_a.save()
    [n] = services.notify([hr_a], title="t")
    assert n.email_status == Notification.EmailStatus.SKIPPED


def test_title_is_rendered_in_the_recipients_language(hr_a):
    from django.utils.translation import gettext_lazy as _

    hr_a.language = "en"
    hr_a.save()
    [n] = services.notify([hr_a], title=_("Inbox"), email=False)
    assert n.title == "Inbox"


def test_unread_count_in_navigation_and_mark_read(client, hr_a):
    services.notify([hr_a], title="第一条", email=False)
    services.notify([hr_a], title="第二条", email=False)
    client.force_login(hr_a)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="unread-count">2<' in page
    n = Notification.objects.filter(recipient=hr_a).first()
    assert client.post(reverse("notifications:open", args=[n.pk])).status_code == 302
    page = client.get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="unread-count">1<' in page
    client.post(reverse("notifications:mark_all_read"))
    assert 'data-testid="unread-count"' not in client.get(reverse("dashboard:home")).content.decode()


def test_someone_elses_notification_is_404(client, hr_a, hr_b):
    [n] = services.notify([hr_b], title="私人", email=False)
    client.force_login(hr_a)
    assert client.post(reverse("notifications:open", args=[n.pk])).status_code == 404
    assert "私人" not in client.get(reverse("notifications:inbox")).content.decode()


def test_open_does_not_redirect_off_site(client, hr_a):
    [n] = services.notify([hr_a], title="t", link="https://evil.example.com/", email=False)
    client.force_login(hr_a)
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response.url == reverse("notifications:inbox")


def test_inactive_users_are_not_notified():
    user = UserFactory(is_active=False)
    assert services.notify([user], title="t") == []
