from config.celery import BEAT_SCHEDULE, app


def test_celery_is_configured_for_safe_delivery():
    conf = app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit


def test_every_scheduled_job_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_imports_documents_and_notifications_have_their_own_queues():
    from django.conf import settings

    app.loader.import_default_modules()
    router = app.amqp.router
    queue_of = {
        name: router.route({}, name)["queue"].name for name in app.tasks if not name.startswith("celery.")
    }
    assert queue_of["contracts.run_import"] == queue_of["enterprises.confirm_import"] == "imports"
    assert queue_of["documents.render"] == "documents"
    assert (
        queue_of["notifications.send_email"]
        == queue_of["notifications.retry_unsent_email"]
        == "notifications"
    )
    assert queue_of["mediation.flag_overdue"] == "celery"
    assert set(queue_of.values()) <= set(settings.CELERY_TASK_QUEUES_ALL)
