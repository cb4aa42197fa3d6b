"""Celery application.

JSON only, acks_late with idempotent tasks, prefetch 1, time limits and the visibility timeout come from settings
(CELERY_* in config/settings/base.py). The beat schedule is code: modules add their periodic
jobs to BEAT_SCHEDULE below, so a reader finds every scheduled job in one place.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BEAT_SCHEDULE = {
    # The cockpit's monthly record of every figure (issue 20): the months that ended, once.
    "cockpit-record-months": {
        "task": "cockpit.record_months",
        "schedule": crontab(hour=2, minute=20),
    },
    # The park's cockpit figures of today, computed again before the cache's 10 minutes run out
    # (issue 20): the cockpit and the administrators' homes never count the district while one waits.
    "cockpit-warm": {
        "task": "cockpit.warm",
        "schedule": crontab(minute="*/5"),
    },
    # Re-send e-mails of notifications whose first attempt failed (idempotent: sent ones are skipped).
    "notifications-retry-unsent-email": {
        "task": "notifications.retry_unsent_email",
        "schedule": crontab(minute="*/15"),
    },
    # Remove expired sessions daily.
    "core-clear-expired-sessions": {
        "task": "core.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=10),
    },
    # Remind the parties of collective contracts ending within 3 months (集体合同规定 art. 40).
    "unions-collective-contract-expiry": {
        "task": "unions.send_expiry_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Certify the applications of public notices that ended yesterday without an open objection.
    "certification-close-notices": {
        "task": "certification.close_notices",
        "schedule": crontab(hour=0, minute=30),
    },
    # Lapse certification titles whose annual report is overdue or whose validity ended.
    "certification-lapse-titles": {
        "task": "certification.lapse_titles",
        "schedule": crontab(hour=1, minute=0),
    },
    # Propose veto events from inspection and mediation records (arrears listings, published serious
    # violations, mass incidents) for the park to confirm or dismiss (idempotent per record).
    "certification-propose-veto-events": {
        "task": "certification.propose_veto_events",
        "schedule": crontab(hour=1, minute=20),
    },
    # Remind organisations of mediation applications not decided within 3 working days and flag
    # cases past their mediation deadline (劳动争议调解仲裁法 art. 14).
    "mediation-flag-overdue": {
        "task": "mediation.flag_overdue",
        "schedule": crontab(hour=7, minute=0),
    },
    # Remind inspection cases not accepted or refused within 5 working days, flag investigations
    # past their deadline (劳动保障监察条例 art. 17) and end wage-arrears listings after 3 years.
    "inspection-daily": {
        "task": "inspection.daily",
        "schedule": crontab(hour=7, minute=10),
    },
    # Tell the park (and the answering department) of enterprise appeals past their due date (issue 19).
    "appeals-daily": {
        "task": "appeals.daily",
        "schedule": crontab(hour=7, minute=15),
    },
    # Legal aid (issue 19): tell the handling unions of decisions past the policy's deadline.
    "legalaid-daily": {
        "task": "legalaid.daily",
        "schedule": crontab(hour=7, minute=20),
    },
    # Worker assistance (issue 19): tell each file's union of yearly reviews due within 30 days or
    # overdue (once per file and review cycle).
    "assistance-reviews-due": {
        "task": "assistance.notify_reviews_due",
        "schedule": crontab(hour=7, minute=25),
    },
    # Contracts whose end has passed expire (before the alerts are computed).
    "contracts-expire": {
        "task": "contracts.expire_contracts",
        "schedule": crontab(hour=0, minute=50),
    },
    # Uploaded contract exports hold full ID numbers: delete those of finished jobs (and orphan
    # uploads) older than IMPORT_FILE_RETENTION_HOURS, and clear the registry imports' good rows
    # (PIPL art. 19; docs/security.md "Personal data").
    "contracts-purge-import-files": {
        "task": "contracts.purge_import_files",
        "schedule": crontab(minute=25),
    },
    "enterprises-purge-import-rows": {
        "task": "enterprises.purge_import_rows",
        "schedule": crontab(minute=35),
    },
    # Notify enterprise HR of contracts expiring within 30 days, workers without a written contract
    # after one month and open-ended contracts due (once a day, after the expiry job).
    "contracts-send-alerts": {
        "task": "contracts.send_alerts",
        "schedule": crontab(hour=7, minute=40),
    },
    # Queue again the jobs a dead worker (or a lost message) left behind: documents pending, contract
    # imports not moving, enterprise imports "being written" beyond STUCK_JOB_SECONDS (settings);
    # each re-queue is audited. Every 5 minutes: a lost PDF is made again within 15 minutes.
    "documents-requeue-stuck": {
        "task": "documents.requeue_stuck",
        "schedule": crontab(minute="*/5"),
    },
    "contracts-requeue-stuck-imports": {
        "task": "contracts.requeue_stuck_imports",
        "schedule": crontab(minute="*/5"),
    },
    "enterprises-requeue-stuck-imports": {
        "task": "enterprises.requeue_stuck_imports",
        "schedule": crontab(minute="*/5"),
    },
    # Forget the API's Idempotency-Keys older than 24 hours (apps/api/idempotency.py; issue 15).
    "api-purge-idempotency-records": {
        "task": "api.purge_idempotency_records",
        "schedule": crontab(minute=45),
    },
    # Webhooks (issue 15): publish the events a lost message left behind, retry due deliveries,
    # take over the claims of workers that died; once a day, forget events past their retention.
    "webhooks-sweep": {
        "task": "webhooks.sweep",
        "schedule": crontab(minute="*"),
    },
    # The risk watch list (issue 17): recompute every enterprise's score after the nightly jobs
    # that move contracts, titles and cases (a relevant write also recomputes its enterprise
    # about a minute later: apps.risk.services.on_audited_write).
    "risk-recompute-all": {
        "task": "risk.recompute_all",
        "schedule": crontab(hour=2, minute=15),
    },
    # Periodic reports (issue 20): on the first day of a month, quarter or year, the previous
    # period's report for each scope that has subscribers (once), sent to them when ready; after the
    # nightly jobs and the cockpit's monthly record. Also queues again reports a dead worker left.
    "reports-send-scheduled": {
        "task": "reports.send_scheduled",
        "schedule": crontab(hour=6, minute=0),
    },
    "webhooks-purge-events": {
        "task": "webhooks.purge_events",
        "schedule": crontab(hour=4, minute=20),
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
