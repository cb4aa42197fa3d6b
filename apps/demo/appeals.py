"""The demo park's enterprise appeals (issue 19): 150 appeals over the last two years in every
state (submitted, routed, answered, closed with each rating, one reopened and answered again,
some overdue), answered by the default departments within or past the policy's working days.
The demo HR user's enterprise has a few of its own. Idempotent: nothing is added once the park
has 150 appeals."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.appeals import rules
from apps.appeals.models import Appeal, AppealCounter, AppealHistory, Department, Kind, Satisfaction
from apps.appeals.selectors import policies
from apps.core.cache import figures_changed
from apps.core.calendar import load_overrides
from apps.enterprises.models import Enterprise

COUNT = 150
SUBJECTS = {
    Kind.HIRING: ["招聘普工30名，请协助对接劳务基地", "季节性用工缺口较大", "申请参加园区专场招聘会"],
    Kind.TRAINING: ["申请以工代训补贴", "希望组织电工上岗证培训", "新员工安全生产培训需求"],
    Kind.POLICY: ["稳岗返还政策咨询", "社保费缓缴条件咨询", "高校毕业生吸纳就业补贴申请流程"],
    Kind.DISPUTE: ["员工离职经济补偿计算咨询", "试用期解除劳动合同是否合规", "加班费计算基数咨询"],
    Kind.OTHER: ["厂区周边交通安全问题", "员工子女入学咨询", "园区食堂收费问题"],
}
ANSWERS = [
    "经核实，贵企业符合相关条件，请于下周携带材料到服务窗口办理。",
    "已与相关部门对接，具体安排将电话通知联系人。",
    "根据现行政策规定，答复如下：请参照附件办理流程准备材料。",
]
KIND_WEIGHTS = [
    (Kind.POLICY, 35),
    (Kind.HIRING, 25),
    (Kind.TRAINING, 15),
    (Kind.DISPUTE, 15),
    (Kind.OTHER, 10),
]


def _pick(rng, weighted):
    total = sum(w for _v, w in weighted)
    point = rng.uniform(0, total)
    for value, weight in weighted:
        point -= weight
        if point <= 0:
            return value
    return weighted[-1][0]


def seed(rng, stdout) -> None:
    if Appeal.objects.count() >= COUNT:
        stdout.write(f"Appeals: {Appeal.objects.count()} already.")
        return
    today = timezone.localdate()
    enterprises = list(Enterprise.objects.order_by("name").only("pk", "town_id", "name", "organisation_id"))
    if not enterprises:
        return
    hr_enterprise = Enterprise.objects.filter(organisation__memberships__user__username="hr").first()
    departments = {d.name: d for d in Department.objects.filter(is_active=True)}
    by_kind = {
        k: [d for d in departments.values() if k in (d.kinds or [])] or list(departments.values())
        for k in Kind.values
    }
    admin = User.objects.filter(username="admin").first()
    rows = policies()
    overrides = load_overrides()
    appeals, history = [], []
    counters: dict[int, int] = {}
    start = today - dt.timedelta(days=730)
    for i in range(COUNT):
        # Older appeals are mostly closed; the last weeks' are still in progress.
        age = int(730 * (1 - (i / COUNT) ** 0.8))
        submitted = max(start, today - dt.timedelta(days=age))
        enterprise = hr_enterprise if hr_enterprise and i % 25 == 0 else rng.choice(enterprises)
        kind = _pick(rng, KIND_WEIGHTS)
        due_on, period = rules.due_date(rows, kind, submitted, overrides=overrides)
        counters[submitted.year] = counters.get(submitted.year, 0) + 1
        appeal = Appeal(
            reference=f"SQ{submitted.year}{counters[submitted.year]:05d}",
            enterprise=enterprise,
            town_id=enterprise.town_id,
            kind=kind,
            subject=rng.choice(SUBJECTS[kind]),
            text="企业反映：" + rng.choice(SUBJECTS[kind]) + "，请园区协调相关部门予以答复。",
            contact_name=rng.choice(["王芳", "李强", "陈静", "刘洋", "黄丽"]),
            contact_phone=f"1387720{rng.randint(1000, 9999)}",
            submitted_on=submitted,
            due_on=due_on,
            due_days=period.deadline.days,
            due_source=period.deadline.source,
        )
        steps = [("submit", "", "submitted", submitted)]
        if age <= 4:
            stage = rng.choice(["submitted", "routed"])
        elif age <= 20:
            stage = rng.choice(["submitted", "routed", "routed", "answered", "answered"])
        else:
            stage = rng.choice(["closed"] * 8 + ["answered"])
        if stage != "submitted":
            appeal.department = rng.choice(by_kind[kind])
            appeal.routed_on = min(today, submitted + dt.timedelta(days=rng.randint(0, 2)))
            steps.append(("route", "submitted", "routed", appeal.routed_on))
        if stage in ("answered", "closed"):
            late = rng.random() < 0.12
            days = period.deadline.days * (2 if late else 1)
            answered = min(today, submitted + dt.timedelta(days=rng.randint(1, max(1, days + 2))))
            appeal.answered_on = max(answered, appeal.routed_on)
            appeal.answer = rng.choice(ANSWERS)
            appeal.answered_by_label = "admin"
            appeal.answered_by = admin
            steps.append(("answer", "routed", "answered", appeal.answered_on))
        if stage == "closed":
            appeal.satisfaction = _pick(
                rng,
                [(Satisfaction.SATISFIED, 75), (Satisfaction.BASICALLY, 18), (Satisfaction.NOT_SATISFIED, 7)],
            )
            appeal.rating_comment = (
                "答复未解决实际问题。" if appeal.satisfaction == Satisfaction.NOT_SATISFIED else ""
            )
            appeal.rated_on = min(today, appeal.answered_on + dt.timedelta(days=rng.randint(0, 5)))
            steps.append(("rate", "answered", "closed", appeal.rated_on))
        appeal.status = steps[-1][2]
        appeals.append(appeal)
        history.append(steps)
    # One reopened appeal answered again (the first answer kept).
    for appeal, steps in zip(appeals, history, strict=True):
        if appeal.status == "closed" and appeal.satisfaction == Satisfaction.NOT_SATISFIED:
            reopened_on = appeal.rated_on + dt.timedelta(days=1)
            if reopened_on >= today:
                continue
            appeal.first_answer = {
                "answer": appeal.answer,
                "answered_on": appeal.answered_on.isoformat(),
                "answered_by": appeal.answered_by_label,
                "due_on": appeal.due_on.isoformat(),
                "satisfaction": appeal.satisfaction,
                "comment": appeal.rating_comment,
            }
            appeal.reopened = True
            appeal.due_on, period = rules.due_date(rows, appeal.kind, reopened_on, overrides=overrides)
            appeal.answer = "经重新核查，已协调解决，具体见电话答复记录。"
            appeal.answered_on = min(today, reopened_on + dt.timedelta(days=2))
            appeal.satisfaction, appeal.rating_comment, appeal.rated_on = "", "", None
            appeal.status = "answered"
            steps += [
                ("reopen", "closed", "routed", reopened_on),
                ("answer", "routed", "answered", appeal.answered_on),
            ]
            break
    with transaction.atomic():
        Appeal.objects.bulk_create(appeals)
        AppealHistory.objects.bulk_create(
            AppealHistory(
                subject=appeal,
                action=action,
                from_status=source,
                to_status=target,
                actor_label="seed_demo",
                reason="答复不满意，重新办理" if action == "reopen" else "",
            )
            for appeal, steps in zip(appeals, history, strict=True)
            for action, source, target, _day in steps
        )
        for year, last in counters.items():
            AppealCounter.objects.update_or_create(year=year, defaults={"last": last})
        figures_changed("appeals")
    states = {s: sum(1 for a in appeals if a.status == s) for s in Appeal.Status.values}
    overdue = sum(1 for a in appeals if rules.is_overdue(a, today))
    stdout.write(f"Appeals: {len(appeals)} ({states}), {overdue} overdue.")
