"""The demo park's legal aid of the union (issue 19 item 3).

25 legal-aid requests, each supporting one of the demo mediation cases (the worker is the case's
first applicant, the employer its respondent), routed as the service routes them (the covering
union, else the town's or the park federation), in every state: awaiting a decision (some past the
policy's deadline), accepted with a lawyer or volunteer, refused with a reason, withdrawn, and
closed with every outcome and the amount recovered. Four lawyers and volunteers (two of the park,
two of the park federation). Rows are written directly with what the services would produce
(deadlines from the policy and the calendar, a history row per step). One well-known request, the
newest, has the access code `TRACKING_CODE` for the public tracking page. Idempotent: nothing is
created when requests exist.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from apps.core import personal_data
from apps.legalaid import rules, selectors
from apps.legalaid.models import AidKind, Applicant, Lawyer, LegalAidRequest, RequestHistory, SerialCounter
from apps.mediation.models import Case

REQUESTS = 25
TRACKING_CODE = "FYDEMO2026"

LAWYERS = [
    ("韦明律", Lawyer.Kind.LAWYER, "广西柳东律师事务所", True),
    ("覃丽华", Lawyer.Kind.LAWYER, "柳州正言律师事务所", True),
    ("黄志远", Lawyer.Kind.VOLUNTEER, "园区工会法律志愿者服务队", False),
    ("莫晓燕", Lawyer.Kind.VOLUNTEER, "园区工会法律志愿者服务队", False),
]

#: (status, outcome) of the 25 requests, in order of receipt (oldest first).
PLAN = (
    [("closed", "won")] * 3
    + [("closed", "settled")] * 3
    + [("closed", "mediated")] * 4
    + [("closed", "lost"), ("closed", "other"), ("closed", "withdrawn")]
    + [("refused", "")] * 3
    + [("accepted", "")] * 5
    + [("received", "")] * 4
)

REFUSALS = [
    "所诉事项不属于劳动争议，已告知向人民法院起诉。",
    "申请人已委托律师代理，工会不再重复提供代理。",
    "经核实申请人已与单位达成和解并履行完毕。",
]


def _lawyers(federation):
    made = []
    for i, (name, kind, firm, park_wide) in enumerate(LAWYERS):
        lawyer, _created = Lawyer.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "firm": firm,
                "phone": f"0772-31{i:02d}888",
                "union": None if park_wide else federation,
            },
        )
        made.append(lawyer)
    return made


def _history(req, rows):
    for at, action, frm, to, reason in rows:
        h = RequestHistory.objects.create(
            subject=req, action=action, from_status=frm, to_status=to, actor_label="demo", reason=reason
        )
        RequestHistory.objects.filter(pk=h.pk).update(
            at=timezone.make_aware(dt.datetime.combine(at, dt.time(10, 0)))
        )


def seed(rng, stdout) -> None:
    if LegalAidRequest.objects.exists():
        stdout.write(f"Legal aid: {LegalAidRequest.objects.count()} requests already there.")
        return
    today = timezone.localdate()
    federation = selectors.park_federation()
    if federation is None:
        stdout.write("Legal aid: no park federation, nothing seeded.")
        return
    lawyers = _lawyers(federation)
    cases = list(
        Case.objects.filter(~Q(respondent_enterprise=None), received_on__lte=today - dt.timedelta(days=2))
        .select_related("respondent_enterprise", "respondent_enterprise__town")
        .prefetch_related("applicants")
        .order_by("-received_on", "serial")[:200]
    )
    cases = [c for c in cases if c.applicants.all()]
    if len(cases) < REQUESTS:
        stdout.write("Legal aid: not enough demo mediation cases, nothing seeded.")
        return
    chosen = sorted(rng.sample(cases, REQUESTS), key=lambda c: (c.received_on, c.serial))
    policy = selectors.policy_in_force(today)
    kinds = list(AidKind.values)
    counters: dict = {}
    # The newest four wait for a decision; make two of them overdue and two on time.
    pending_days = [
        today - dt.timedelta(days=12),
        today - dt.timedelta(days=9),
        today - dt.timedelta(days=1),
        today,
    ]
    created = []
    for i, (case, (status, outcome)) in enumerate(zip(chosen, PLAN, strict=True)):
        enterprise = case.respondent_enterprise
        union = selectors.handling_union(enterprise, enterprise.town) or federation
        received = (
            pending_days[i - 21]
            if status == "received"
            else min(case.received_on, today - dt.timedelta(days=3))
        )
        counters[received.year] = counters.get(received.year, 0) + 1
        serial = f"{rules.SERIAL_PREFIX}{received.year}-{counters[received.year]:05d}"
        kind = kinds[i % len(kinds)]
        decided = rules.decision_due(policy, received) - dt.timedelta(days=rng.randint(0, 3))
        decided = max(received, min(decided, today))
        lawyer = lawyers[i % len(lawyers)] if status in ("accepted", "closed") else None
        amount_claimed = case.amount_claimed or Decimal("8000")
        recovered = None
        if outcome in ("won", "settled", "mediated"):
            recovered = (amount_claimed * Decimal(rng.choice(["1", "0.8", "0.6", "0.5"]))).quantize(
                Decimal("0.01")
            )
        closed = None
        if status == "closed":
            closed = min(today, decided + dt.timedelta(days=rng.randint(10, 80)))
        code = (
            TRACKING_CODE
            if i == REQUESTS - 1
            else "".join(rng.choice(rules.ACCESS_CODE_ALPHABET) for _ in range(rules.ACCESS_CODE_LENGTH))
        )
        req = LegalAidRequest.objects.create(
            serial=serial,
            access_code_hash=rules.access_code_hash(code),
            channel=LegalAidRequest.Channel.ONLINE if i % 3 else LegalAidRequest.Channel.COUNTER,
            received_on=received,
            enterprise=enterprise,
            employer_name=enterprise.name,
            town=enterprise.town,
            facts=f"{case.claims[:200]}（调解案件 {case.serial}）"
            if case.claims
            else f"与单位发生劳动争议（{case.serial}）。",
            claims="请求工会提供法律援助：" + AidKind(kind).label.__str__(),
            kind=kind,
            union=union,
            status=status,
            decision_due_on=rules.decision_due(policy, received),
            decided_on=decided
            if status in ("accepted", "refused") or (status == "closed" and outcome != "withdrawn")
            else None,
            refusal_reason=REFUSALS[i % 3] if status == "refused" else "",
            due_on=rules.close_due(policy, decided)
            if status in ("accepted", "closed") and outcome != "withdrawn"
            else None,
            lawyer=lawyer,
            mediation_case=case,
            case_reference=f"柳东劳人仲案字〔{received.year}〕{100 + i}号"
            if kind in ("arbitration", "litigation")
            else "",
            outcome=outcome,
            amount_recovered=recovered,
            closed_on=closed,
            consent_at=timezone.now(),
        )
        a = case.applicants.all()[0]
        Applicant.objects.create(
            request=req,
            name=a.name,
            id_number=a.id_number,
            id_number_hash=personal_data.lookup_hash(a.id_number) if a.id_number else "",
            phone=a.phone or "13800000000",
        )
        steps = [(received, "register", "", "received", "")]
        if status == "refused":
            steps.append((decided, "refuse", "received", "refused", req.refusal_reason))
        elif status == "accepted":
            steps.append((decided, "accept", "received", "accepted", ""))
        elif status == "closed" and outcome == "withdrawn":
            steps.append((closed, "withdraw", "received", "closed", "申请人撤回申请。"))
        elif status == "closed":
            steps.append((decided, "accept", "received", "accepted", ""))
            steps.append((closed, "close", "accepted", "closed", ""))
        _history(req, steps)
        created.append(req)
    for year, last in counters.items():
        SerialCounter.objects.update_or_create(year=year, defaults={"last": last})
    stdout.write(
        f"Legal aid: {len(created)} requests linked to mediation cases, {len(lawyers)} lawyers and volunteers; "
        f"track {created[-1].serial} with the code {TRACKING_CODE}."
    )
