from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # Register every app's Celery tasks in this process too, so that services can queue them
        # by name (apps.core.tasks.enqueue_on_commit) and eager mode finds them.
        autodiscover_modules("tasks")
