from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks and the event feed (issue 15): an outbox of events written in the transaction of
    each audited change of the objects the domain modules declare (`api_events` on their
    AppConfig, read by `registry`), delivered signed to the subscriptions of API clients and
    readable at /api/v1/events/."""

    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks and events")

    def ready(self):
        from apps.audit.services import WRITE_HOOKS

        from .services import record_events

        if record_events not in WRITE_HOOKS:
            WRITE_HOOKS.append(record_events)
