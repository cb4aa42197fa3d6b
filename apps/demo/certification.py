"""The demo park's harmony certification (劳动关系和谐企业认定).

Called by `manage.py seed_demo` after the registry's and the unions' seeders (INSTALLED_APPS order),
under the default rule set (version 1, migration 0002):

- four rounds: the three previous years (closed) and the current one, open from about eight months
  ago to about six weeks ahead (e.g. 2023年度 … 2026年度);
- a ladder that explains every title: AAA holders were named A three years ago, AA two years ago
  and AAA last year; AA holders A two years ago and AA last year; A holders A last year or in the
  current round. Each step is a certified application (self scores, reviewer scores at or above the
  cut-off, a group meeting 2/3, a disclosure, evidence, its history) in the round's public notice,
  with its certificate (numbered like `services.certificates._next_number`, valid for the rule
  set's years) and annual reports: handed in when due, some early. A title climbed past stays valid
  until its validity ends; the held level is the highest valid one (`selectors.held_certificate`). Titles
  whose validity has ended are lapsed, as the daily job would have done;
- the current round with applications in every status, a closed notice (its applications
  certified) and a running one with one open objection;
- two veto events (one outside the look-back window, one recent on an enterprise without a title,
  whose application was rejected for it), one revoked title and one lapsed for an overdue report;
- the demo HR user's enterprise (eligible, holding no title) with a draft for level A.

Writes in bulk, bypassing the services for speed, but with what they would produce (statuses follow
the lifecycle table, dates are in order and never in the future, scores reach the cut-offs).
Evidence that can still be deleted (drafts, returned applications, the on-site check record) has
its own file; the rest shares a handful of read-only sample PDFs. Of the generated PDFs only the
running notice's and one AAA certificate's are rendered (a fraction of a second each); the other
certificates and notices have none, which the pages allow. Idempotent: nothing is written once the
demo rounds have applications.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import contextmanager
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.certification import rules, selectors
from apps.certification.models import (
    AnnualReport,
    Application,
    ApplicationHistory,
    Certificate,
    CertificateHistory,
    Evidence,
    GroupMember,
    Item,
    ItemScore,
    Objection,
    PublicNotice,
    Round,
    RuleSet,
    VetoEvent,
)
from apps.certification.workflow import WORKFLOW
from apps.core.calendar import is_working_day
from apps.core.models import object_ref
from apps.demo import generators as demo
from apps.documents.models import GeneratedDocument
from apps.documents.services import render_and_store
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise

S = Application.Status

#: Enterprises holding each level (the shape of seed 000, 41 A / 20 AA / 29 AAA among 232, scaled
#: to the 200 enterprises of the demo park). A holders: named last year, or in the current round.
AAA_HOLDERS = 25
AA_HOLDERS = 17
A_LAST_YEAR = 22
A_THIS_YEAR = 13
#: The current round's other applications, by status (certified ones are A_THIS_YEAR; the demo HR
#: user's draft comes on top).
CURRENT = {
    S.DRAFT: 3,
    S.SUBMITTED: 3,
    S.UNDER_REVIEW: 3,
    S.RETURNED: 2,
    S.PROPOSED: 2,
    S.IN_NOTICE: 4,
    S.REJECTED: 2,
    S.WITHDRAWN: 2,
}
#: Nominal start of each closed round's public notice (month, day), oldest round first: later each
#: year, as an enterprise climbs only after twelve months at the level below.
NOTICE_STARTS = [(7, 17), (9, 9), (11, 3)]
HALF = Decimal("0.5")

SUMMARIES = [
    "企业成立自评小组，对照认定标准逐项自查，劳动合同签订、工资支付、社会保险等项目均符合要求，"
    "自评结果已经厂务公开。",
    "本年度企业依法签订劳动合同，按月足额支付工资，开展工资集体协商，职工代表大会定期召开，"
    "未发生劳动争议群体性事件。",
    "自评小组由工会代表、职工代表和企业管理人员组成，逐项核对台账和佐证材料，形成自评报告并公示。",
]
REVIEW_COMMENTS = [
    "材料齐全，现场核查情况与自评一致，建议按评审得分认定。",
    "经书面审查和现场核查，企业劳动用工规范，个别项目佐证材料不够完整，已按实际情况扣分。",
    "企业劳动关系总体和谐稳定，集体协商和民主管理工作扎实。",
]
DEDUCTIONS = [
    "佐证材料不完整，酌情扣分。",
    "台账记录不连续，扣分。",
    "现场抽查发现个别记录缺失。",
    "部分材料为上一年度数据。",
]
SITE_VISIT_BY = "园区人社局 张莉、覃正忠"
SITE_VISIT_NOTES = (
    "现场查阅劳动合同台账、工资发放记录和社保缴费凭证，随机访谈职工6名，职工对劳动关系状况总体满意。"
)
RETURN_REASONS = [
    "第3项“规范使用劳务派遣”的佐证材料为上一年度数据，请补充本年度劳务派遣用工台账后重新提交。",
    "自评小组名单与职工代表大会选举结果不一致，请核实工会代表和职工代表后重新提交。",
]
LOW_SCORE_REASON = "评审得分{score}分，未达到A级分数线{cutoff}分；工资集体协商和职工代表大会制度尚未建立。"
WITHDRAW_REASONS = ["企业本年度生产经营调整，暂不申报。", "自评发现社会保险缴费存在欠缴，整改后再申报。"]
REVOKE_REASON = "{year}年度抽查复核发现企业未依法为全部职工缴纳社会保险费，经领导小组研究撤销称号。"
LAPSE_REPORT_REASON = "{date}应提交的年度报告未提交。"
EXPIRED_REASON = "有效期已于{date}届满。"
OBJECTION = "该企业去年以来多次延迟发放工资，车间加班费没有按规定计算，希望核实后再认定。"
DISMISSED_OBJECTION = (
    "反映该企业未签劳动合同；经核查，所涉人员为劳务派遣单位派遣人员，已与派遣单位签订劳动合同。"
)
REPORT_TEXT = "本年度企业劳动合同签订率保持100%，工资按月足额发放，依法缴纳社会保险费，按期召开职工代表大会。"
#: Sample evidence documents: one per category of the form, plus the disclosure and the check.
SAMPLE_TITLES = {
    "contracts": "Labour contract register",
    "wages": "Payroll records",
    "hours": "Working time and leave records",
    "insurance": "Social insurance payment records",
    "safety": "Safety training and health checks",
    "special_protection": "Special protection records",
    "collective": "Collective contract and filing receipt",
    "democratic": "Workers' congress minutes",
    "union": "Union register and dues receipts",
    "disputes": "Mediation committee records",
    "care": "Training and care activities",
    "disclosure": "Posting of the self-evaluation result",
    "site_visit": "On-site check record",
}


# Helpers ----------------------------------------------------------------------------------------


def _pdf(*lines: str) -> bytes:
    """A one-page PDF (A4, Helvetica) with the given ASCII lines."""

    def esc(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 14 Tf 20 TL 72 760 Td " + " ".join(f"({esc(x)}) Tj T*" for x in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _day(rng, low: dt.date, high: dt.date) -> dt.date:
    if high <= low:
        return low
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def _at(rng, day: dt.date, hours=(9, 17)) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(*hours), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _working_on_or_after(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _working_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _half_points(rng, low, high) -> Decimal:
    """A score between low and high in half points."""
    return Decimal(rng.randint(int(low * 2), int(high * 2))) / 2


def _spread(rng, items, total: Decimal, start=None) -> dict:
    """Item scores summing to `total`, taken in half points from the maximum (or from `start`),
    none below 40 % of its item's maximum."""
    scores = dict(start) if start else {it.pk: it.max_points for it in items}
    deficit = sum(scores.values(), Decimal(0)) - total
    while deficit > 0:
        it = rng.choice(items)
        if scores[it.pk] - HALF >= it.max_points * Decimal("0.4"):
            scores[it.pk] -= HALF
            deficit -= HALF
    return scores


@contextmanager
def _given_timestamps(*models):
    """Let bulk_create keep the timestamps the objects carry (the history happened in the past):
    auto_now / auto_now_add are switched off on these models' fields for the duration."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _Builder:
    """Collects the rows of the demo and writes them in bulk, in foreign-key order."""

    def __init__(self, rng, today, rule_set, admin, hr_user, hr_enterprise):
        self.rng, self.today, self.rs = rng, today, rule_set
        self.admin, self.hr_user, self.hr_enterprise = admin, hr_user, hr_enterprise
        self.items = list(
            Item.objects.filter(category__rule_set=rule_set)
            .select_related("category")
            .order_by("category__order", "order")
        )
        self.evidence_items = [it for it in self.items if it.evidence_required]
        self.levels = {lv.code: lv for lv in rule_set.levels.all()}
        self.notices: list[PublicNotice] = []
        self.apps: list[Application] = []
        self.history: list[ApplicationHistory] = []
        self.scores: list[ItemScore] = []
        self.group: list[GroupMember] = []
        self.evidence: list[Evidence] = []
        self.certs: list[Certificate] = []
        self.cert_history: list[CertificateHistory] = []
        self.reports: list[AnnualReport] = []
        self.numbers: dict[tuple, int] = {}
        self.shared: dict[str, Evidence] = {}

    # Files ---------------------------------------------------------------------------------------

    def _file(self, ev: Evidence, key: str, name: str, *, own: bool) -> Evidence:
        """Store a sample PDF for `ev` through the model's FileField, or reuse the shared one."""
        if not own and key in self.shared:
            src = self.shared[key]
            ev.file.name, ev.size, ev.sha256 = src.file.name, src.size, src.sha256
        else:
            data = _pdf(SAMPLE_TITLES.get(key, "Evidence"), "Harmony certification - demo park sample")
            ev.file.save("upload", ContentFile(data), save=False)
            ev.size, ev.sha256 = len(data), hashlib.sha256(data).hexdigest()
            if not own:
                self.shared[key] = ev
        ev.original_name = name
        ev.content_type = "application/pdf"
        return ev

    def evidence_for(self, app, items, when, *, own: bool, uploader=None) -> None:
        for it in items:
            ev = Evidence(
                application=app,
                purpose=Evidence.Purpose.ITEM,
                item=it,
                uploaded_by=uploader,
                created_at=when,
                updated_at=when,
            )
            self.evidence.append(self._file(ev, it.category.code, f"{it.text[:30]}.pdf", own=own))

    def extra_evidence(self, app, purpose, when, *, own: bool, uploader=None) -> None:
        name = "厂务公开公示照片.pdf" if purpose == Evidence.Purpose.DISCLOSURE else "现场核查记录.pdf"
        ev = Evidence(
            application=app, purpose=purpose, uploaded_by=uploader, created_at=when, updated_at=when
        )
        self.evidence.append(self._file(ev, purpose, name, own=own))

    # Applications --------------------------------------------------------------------------------

    def notice(self, rnd, starts_on, *, closed: bool) -> PublicNotice:
        ends_on, estimated = rules.notice_period(self.rs, starts_on)
        published = _at(self.rng, starts_on, (9, 10))
        notice = PublicNotice(
            round=rnd,
            title=f"关于{rnd.name}劳动关系和谐企业拟认定名单的公示",
            starts_on=starts_on,
            ends_on=ends_on,
            estimated=estimated,
            published_by=self.admin,
            closed_at=_at(self.rng, ends_on + dt.timedelta(days=1), (2, 2)) if closed else None,
            created_at=published,
            updated_at=published,
        )
        self.notices.append(notice)
        return notice

    def application(
        self,
        enterprise,
        rnd,
        level,
        *,
        created: dt.date,
        steps=(),
        self_total=None,
        review_total=None,
        reviewed_items=None,
        scored_items=None,
        evidence_items=None,
        group=True,
        disclosure=True,
        notice=None,
        site_visit=False,
    ) -> Application:
        """One application and its rows. `steps`: (action, date, reason) in the lifecycle's order;
        the status is where they lead. `reviewed_items`: how many items the reviewer has scored
        (all by default once a review total is given)."""
        rng = self.rng
        created_at = _at(rng, created)
        app = Application(
            round=rnd,
            rule_set=self.rs,
            enterprise=enterprise,
            target_level=level,
            created_by=self.hr_user if enterprise == self.hr_enterprise else None,
            created_at=created_at,
        )
        # The path through the lifecycle table.
        status, last = S.DRAFT, created_at
        submitted = None
        for action, day, reason in steps:
            t = WORKFLOW.get(action)
            assert status in t.sources, (action, status)
            when = _at(rng, day, (2, 2)) if action == "certify" else _at(rng, day)
            when = max(when, last + dt.timedelta(minutes=5))
            system = action == "certify"
            by_enterprise = action in ("submit", "withdraw")
            actor = None if system else (app.created_by if by_enterprise else self.admin)
            if system:
                label = "system"
            elif actor is not None:
                label = actor.get_username()
            else:
                label = enterprise.contact_name or enterprise.name
            self.history.append(
                ApplicationHistory(
                    subject=app,
                    at=when,
                    action=action,
                    from_status=status,
                    to_status=t.target,
                    actor=actor,
                    actor_label=label,
                    reason=reason,
                )
            )
            if action == "submit" and submitted is None:
                submitted = when
            if action == "start_review":
                app.reviewer = self.admin
            if action == "propose":
                app.proposed_level = level
            status, last = t.target, when
        app.status = status
        app.submitted_at = submitted
        app.notice = notice
        app.updated_at = last

        # Scores: the self-evaluation, and the reviewer's from the review on.
        n_scored = len(self.items) if scored_items is None else scored_items
        self_scores = _spread(rng, self.items, self_total) if self_total is not None else {}
        review_scores = (
            _spread(rng, self.items, review_total, start=self_scores) if review_total is not None else {}
        )
        n_reviewed = len(self.items) if reviewed_items is None else reviewed_items
        review_start = review_day = None
        for action, day, _reason in steps:
            if action == "start_review":
                review_start = day
            if action in ("propose", "return", "reject"):
                review_day = day
        if review_start and review_day is None:  # still under review, scored until yesterday
            review_day = _day(rng, review_start, self.today - dt.timedelta(days=1))
        for i, it in enumerate(self.items):
            own = self_scores.get(it.pk) if i < n_scored else None
            reviewed = review_scores.get(it.pk) if i < n_reviewed else None
            row = ItemScore(application=app, item=it, self_score=own)
            if own is not None and rng.random() < 0.25:
                row.self_note = f"见附件：{it.category.name}相关台账和记录。"
            if reviewed is not None:
                row.review_score = reviewed
                row.reviewed_by = self.admin
                row.reviewed_at = _at(rng, review_day)
                if reviewed < own:
                    row.review_note = rng.choice(DEDUCTIONS)
            self.scores.append(row)
        app.self_score = sum((s for i, s in enumerate(self_scores.values()) if i < n_scored), Decimal(0))
        if review_scores and n_reviewed:
            app.reviewed_score = sum((review_scores[it.pk] for it in self.items[:n_reviewed]), Decimal(0))

        # The group, the disclosure, the evidence (all done before submission).
        base = (submitted.date() if submitted else self.today) - dt.timedelta(days=rng.randint(1, 3))
        if group:
            self._group(app, enterprise)
        if disclosure:
            self._disclosure(app, enterprise, base)
        own = status in (S.DRAFT, S.RETURNED)
        uploader = self.hr_user if enterprise == self.hr_enterprise else None
        items = self.evidence_items if evidence_items is None else self.evidence_items[:evidence_items]
        upload_at = created_at + (min(last, _at(rng, base)) - created_at) / 2
        self.evidence_for(app, items, upload_at, own=own, uploader=uploader)
        if disclosure and status == S.IN_NOTICE:
            self.extra_evidence(app, Evidence.Purpose.DISCLOSURE, upload_at, own=own)
        if app.reviewed_score is not None:
            app.review_comments = rng.choice(REVIEW_COMMENTS)
        if site_visit:
            app.site_visit_on = max(review_start, review_day - dt.timedelta(days=rng.randint(0, 2)))
            app.site_visit_by = SITE_VISIT_BY
            app.site_visit_notes = SITE_VISIT_NOTES
            self.extra_evidence(
                app, Evidence.Purpose.SITE_VISIT, _at(rng, review_day), own=True, uploader=self.admin
            )
        self.apps.append(app)
        return app

    def _group(self, app, enterprise) -> None:
        rng = self.rng
        reps = rng.randint(4, 6)
        others = rng.randint(1, reps // 2)  # 2/3 at least: reps ≥ 2 × others
        roles = [GroupMember.Role.MANAGEMENT] + [GroupMember.Role.DEPARTMENT_HEAD] * (others - 1)
        roles += [GroupMember.Role.UNION_REP] * rng.randint(1, 2)
        roles += [GroupMember.Role.WORKER_REP] * (reps - (len(roles) - others))
        positions = {
            GroupMember.Role.MANAGEMENT: "总经理",
            GroupMember.Role.DEPARTMENT_HEAD: "人力资源部经理",
            GroupMember.Role.UNION_REP: "工会主席",
            GroupMember.Role.WORKER_REP: "一线职工",
        }
        assert rules.group_ratio_met(
            sum(r in GroupMember.REPRESENTATIVES for r in roles), len(roles), self.rs
        )
        self.group += [
            GroupMember(application=app, name=demo.person_name(rng), role=r, position=positions[r])
            for r in roles
        ]

    def _disclosure(self, app, enterprise, end: dt.date) -> None:
        rng = self.rng
        app.summary = rng.choice(SUMMARIES)
        if rng.random() < 0.8 or not self.rs.disclosure_congress_allowed:
            app.disclosure_method = Application.Disclosure.POSTED
            app.posted_to = end
            app.posted_from = end - dt.timedelta(days=rng.randint(self.rs.disclosure_min_days, 20) - 1)
        else:
            total = (
                enterprise.employees
                if enterprise.employees < 30
                else min(120, max(20, round(enterprise.employees * 0.06)))
            )
            present = total - rng.randint(0, total // 6)
            app.disclosure_method = Application.Disclosure.CONGRESS
            app.congress_date = end
            app.congress_representatives = total
            app.congress_attendance = present
            app.congress_votes_for = present - rng.randint(0, present // 10)

    # Certificates --------------------------------------------------------------------------------

    def certificate(self, app, issued_on: dt.date, *, revoked_on=None, report_overdue=False) -> Certificate:
        """The title of a certified application, its annual reports and how it ended, if it did."""
        rng, rs, level = self.rng, self.rs, app.proposed_level
        key = (app.round.year, level.code)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        issued_at = _at(rng, issued_on, (2, 2))
        cert = Certificate(
            number=f"{rs.number_prefix}{app.round.year}-{level.code}-{self.numbers[key]:04d}",
            application=app,
            enterprise=app.enterprise,
            level=level,
            round=app.round,
            issuer=rs.issuer,
            issued_on=issued_on,
            valid_until=issued_on + relativedelta(years=rs.validity_years) - dt.timedelta(days=1),
            created_at=issued_at,
            updated_at=issued_at,
        )
        ended = None
        for n in range(1, rs.validity_years):
            anniversary = issued_on + relativedelta(years=n)
            due = anniversary + dt.timedelta(days=rs.report_grace_days)
            report = AnnualReport(
                certificate=cert, year_no=n, due_on=due, created_at=issued_at, updated_at=issued_at
            )
            self.reports.append(report)
            if report_overdue and ended is None:
                ended = (
                    due + dt.timedelta(days=1),
                    LAPSE_REPORT_REASON.format(date=due),
                    Certificate.Status.LAPSED,
                )
                continue
            if ended is not None or anniversary > self.today or (revoked_on and due >= revoked_on):
                continue
            if due >= self.today and rng.random() < 0.5:
                continue  # not yet due: some hand it in early
            when = _at(
                rng,
                _day(rng, anniversary - dt.timedelta(days=7), min(due, self.today) - dt.timedelta(days=1)),
            )
            employees = max(rs.min_employees, round(app.enterprise.employees * rng.uniform(0.9, 1.05)))
            report.submitted_at = when
            report.updated_at = when
            report.employees = employees
            report.contracts_signed = employees - rng.randint(0, max(0, employees // 50))
            report.disputes = rng.choice([0, 0, 0, 1, 2])
            report.content = REPORT_TEXT
        if revoked_on:
            ended = (revoked_on, REVOKE_REASON.format(year=revoked_on.year), Certificate.Status.REVOKED)
        if ended is None and cert.valid_until < self.today:
            ended = (
                cert.valid_until + dt.timedelta(days=1),
                EXPIRED_REASON.format(date=cert.valid_until),
                Certificate.Status.LAPSED,
            )
        if ended:
            day, reason, status = ended
            revoked = status == Certificate.Status.REVOKED
            when = _at(rng, day) if revoked else _at(rng, day, (2, 2))
            cert.status, cert.ended_on, cert.end_reason, cert.updated_at = status, day, reason, when
            self.cert_history.append(
                CertificateHistory(
                    subject=cert,
                    at=when,
                    action="revoke" if revoked else "lapse",
                    from_status=Certificate.Status.VALID,
                    to_status=status,
                    actor=self.admin if revoked else None,
                    actor_label=self.admin.get_username() if revoked and self.admin else "system",
                    reason=reason,
                )
            )
        self.certs.append(cert)
        return cert

    # Writing -------------------------------------------------------------------------------------

    def save(self) -> None:
        stamped = (PublicNotice, Application, ApplicationHistory, Evidence, Certificate, CertificateHistory)
        with _given_timestamps(*stamped, AnnualReport):
            for model, rows in (
                (PublicNotice, self.notices),
                (Application, self.apps),
                (ApplicationHistory, self.history),
                (ItemScore, self.scores),
                (GroupMember, self.group),
                (Evidence, self.evidence),
                (Certificate, self.certs),
                (CertificateHistory, self.cert_history),
                (AnnualReport, self.reports),
            ):
                model.objects.bulk_create(rows, batch_size=500)


# The seeder -------------------------------------------------------------------------------------


def _rounds(rule_set, today):
    """The three previous years' rounds (closed) and the current one (open ~8 months ago to
    ~6 weeks ahead)."""
    opens = (today - relativedelta(months=8)).replace(day=1)
    year = opens.year
    closes = max(dt.date(year, 12, 31), today + dt.timedelta(weeks=6))
    rounds = []
    for y in range(year - 3, year + 1):
        current = y == year
        rnd, _ = Round.objects.get_or_create(
            name=f"{y}年度",
            defaults={
                "rule_set": rule_set,
                "year": y,
                "opens_on": opens if current else dt.date(y, 3, 1),
                "closes_on": closes if current else dt.date(y, 12, 31),
            },
        )
        rounds.append(rnd)
    return rounds


def _render(stdout, owner, *, kind, title, template_name, context, created_by):
    """Render one PDF now (what the Celery task would do) and attach it to `owner`. A failure is
    reported and leaves the owner without its PDF, as the pages allow."""
    object_type, object_id = object_ref(owner)
    doc = GeneratedDocument.objects.create(
        kind=kind,
        title=title,
        template_name=template_name,
        context=context,
        language=settings.LANGUAGE_CODE,
        object_type=object_type,
        object_id=object_id,
        created_by=created_by,
    )
    try:
        doc = render_and_store(doc.pk)
    except Exception as exc:  # the demo goes on without this PDF
        doc.delete()
        stdout.write(f"Certification: the PDF “{title}” could not be rendered ({exc}).")
        return
    owner.document = doc
    owner.save(update_fields=["document"])


def _summary(stdout, today, created: int | None = None) -> None:
    held = {}
    for cert in (
        Certificate.objects.valid_on(today).select_related("level").order_by("enterprise", "-level__rank")
    ):
        held.setdefault(cert.enterprise_id, cert.level.code)
    levels = {code: list(held.values()).count(code) for code in ("A", "AA", "AAA")}
    statuses = dict(
        Application.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    open_objections = Objection.objects.filter(status=Objection.Status.OPEN).count()
    text = (
        f"{Round.objects.count()} rounds, {sum(statuses.values())} applications "
        f"({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}); titles held: "
        f"{levels['A']} A, {levels['AA']} AA, {levels['AAA']} AAA; "
        f"{PublicNotice.objects.count()} public notices, {open_objections} open objection(s), "
        f"{VetoEvent.objects.count()} veto events."
    )
    stdout.write(f"Certification: nothing new ({text})" if created is None else f"Certification: {text}")


def _eligible(enterprises, rule_set, first_submission: dt.date):
    """Operating, big enough, and established a year before `first_submission`."""
    return [
        e
        for e in enterprises
        if e.status == EnterpriseStatus.OPERATING
        and e.employees >= rule_set.min_employees
        and e.established_on is not None
        and e.established_on + relativedelta(years=rule_set.min_years_operating) <= first_submission
    ]


def seed(rng, stdout) -> None:
    today = timezone.localdate()
    rule_set = RuleSet.objects.filter(version=1).order_by("-year").first()
    if rule_set is None or not rule_set.levels.exists():  # pragma: no cover - migration 0002 makes it
        stdout.write("Certification: no default rule set, nothing seeded.")
        return
    rounds = _rounds(rule_set, today)
    if Application.objects.filter(round__in=rounds).exists():
        _summary(stdout, today)
        return
    current = rounds[-1]
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        membership = Membership.objects.filter(role=Role.PARK_ADMIN).select_related("user").first()
        admin = membership.user if membership else None
    hr_membership = (
        Membership.objects.filter(user__username="hr", role=Role.ENTERPRISE_HR).select_related("user").first()
    )
    hr_user = hr_membership.user if hr_membership else None
    enterprises = list(Enterprise.objects.order_by("name"))
    if not enterprises:  # pragma: no cover - the registry seeder runs first
        stdout.write("Certification: no enterprises, nothing seeded.")
        return
    hr_enterprise = next(
        (e for e in enterprises if hr_membership and e.organisation_id == hr_membership.organisation_id),
        enterprises[0],
    )

    # Every operating enterprise with enough employees and no date of establishment gets one.
    missing = [
        e
        for e in enterprises
        if e.established_on is None
        and e.status == EnterpriseStatus.OPERATING
        and e.employees >= rule_set.min_employees
    ]
    for e in missing:
        e.established_on = _day(rng, dt.date(2005, 1, 1), dt.date(2018, 12, 31))
    # The demo HR user's enterprise can apply: operating, big enough, a year old.
    if (
        hr_enterprise.employees < rule_set.min_employees
        or hr_enterprise.established_on is None
        or hr_enterprise.established_on > today - relativedelta(years=rule_set.min_years_operating + 1)
    ):
        hr_enterprise.employees = max(hr_enterprise.employees, 120)
        hr_enterprise.established_on = min(hr_enterprise.established_on or today, dt.date(2012, 5, 18))
        if hr_enterprise not in missing:
            missing.append(hr_enterprise)
    if missing:
        Enterprise.objects.bulk_update(missing, ["established_on", "employees"])
    if hr_enterprise.status != EnterpriseStatus.OPERATING:  # pragma: no cover - the registry makes it so
        Enterprise.objects.filter(pk=hr_enterprise.pk).update(status=EnterpriseStatus.OPERATING)
        hr_enterprise.status = EnterpriseStatus.OPERATING

    b = _Builder(rng, today, rule_set, admin, hr_user, hr_enterprise)
    A, AA, AAA = b.levels["A"], b.levels["AA"], b.levels["AAA"]
    pool = [e for e in enterprises if e != hr_enterprise]
    rng.shuffle(pool)
    taken = set()

    def pick(n, first_submission):
        chosen = [e for e in _eligible(pool, rule_set, first_submission) if e.pk not in taken][:n]
        taken.update(e.pk for e in chosen)
        return chosen

    years = [r.year for r in rounds[:3]]
    aaa = pick(AAA_HOLDERS, dt.date(years[0], 4, 1))
    aa = pick(AA_HOLDERS, dt.date(years[1], 4, 1))
    lapsing = pick(1, dt.date(years[1], 4, 1))
    a_last = pick(A_LAST_YEAR, dt.date(years[2], 4, 1))
    revoking = pick(1, dt.date(years[2], 4, 1))
    opens = current.opens_on
    first_current = opens + dt.timedelta(days=30)
    a_now = pick(A_THIS_YEAR, first_current)
    by_status = {status: pick(n, first_current) for status, n in CURRENT.items()}

    # Closed rounds: one public notice each, everyone in it certified the day after it ended.
    cohorts = [
        [(e, A) for e in aaa],
        [(e, AA) for e in aaa] + [(e, A) for e in aa + lapsing],
        [(e, AAA) for e in aaa] + [(e, AA) for e in aa] + [(e, A) for e in a_last + revoking],
    ]
    held_since: dict = {}  # enterprise pk → the day its current level was issued
    revoke_on = today - dt.timedelta(days=40)
    for rnd, cohort, (month, day) in zip(rounds[:3], cohorts, NOTICE_STARTS, strict=True):
        lows = {}
        for e, level in cohort:
            since = held_since.get(e.pk)
            lows[e.pk] = dt.date(rnd.year, 4, 1)
            if since:  # the wait at the level below (rules.submission_problems)
                lows[e.pk] = max(lows[e.pk], since + relativedelta(months=level.months_at_lower))
        starts = _working_on_or_after(
            max(dt.date(rnd.year, month, day), max(lows.values()) + dt.timedelta(days=20))
        )
        notice = b.notice(rnd, starts, closed=True)
        issued = notice.ends_on + dt.timedelta(days=1)
        for e, level in sorted(cohort, key=lambda row: (row[1].rank, row[0].name)):
            submitted = _day(rng, lows[e.pk], starts - dt.timedelta(days=20))
            reviewed = submitted + dt.timedelta(days=rng.randint(2, 7))
            proposed = _day(rng, reviewed + dt.timedelta(days=3), starts - dt.timedelta(days=1))
            cutoff = level.min_score
            review_total = _half_points(rng, cutoff, min(cutoff + 6, Decimal(97)))
            app = b.application(
                e,
                rnd,
                level,
                created=max(rnd.opens_on, submitted - dt.timedelta(days=rng.randint(25, 45))),
                steps=[
                    ("submit", submitted, ""),
                    ("start_review", reviewed, ""),
                    ("propose", proposed, ""),
                    ("publish", starts, ""),
                    ("certify", issued, ""),
                ],
                self_total=min(Decimal(100), review_total + _half_points(rng, 0, 3)),
                review_total=review_total,
                notice=notice,
            )
            b.certificate(
                app,
                issued,
                report_overdue=e in lapsing,
                revoked_on=revoke_on if e in revoking else None,
            )
            held_since[e.pk] = issued

    # The current round --------------------------------------------------------------------------
    def days_ago(n):
        return today - dt.timedelta(days=n)

    def a_scores(low=82, high=94):
        review = _half_points(rng, low, high)
        return {"self_total": min(Decimal(100), review + _half_points(rng, 0, 3)), "review_total": review}

    def created_before(day):
        return max(opens + dt.timedelta(days=3), day - dt.timedelta(days=rng.randint(25, 45)))

    # Certified: the closed notice of about six weeks ago.
    starts1 = _working_on_or_after(days_ago(45))
    notice1 = b.notice(current, starts1, closed=True)
    issued1 = notice1.ends_on + dt.timedelta(days=1)
    certified_now = []
    for e in sorted(a_now, key=lambda x: x.name):
        submitted = _day(rng, first_current, starts1 - dt.timedelta(days=25))
        reviewed = submitted + dt.timedelta(days=rng.randint(2, 7))
        proposed = _day(rng, reviewed + dt.timedelta(days=3), starts1 - dt.timedelta(days=1))
        app = b.application(
            e,
            current,
            A,
            created=created_before(submitted),
            steps=[
                ("submit", submitted, ""),
                ("start_review", reviewed, ""),
                ("propose", proposed, ""),
                ("publish", starts1, ""),
                ("certify", issued1, ""),
            ],
            notice=notice1,
            **a_scores(80, 89),
        )
        b.certificate(app, issued1)
        certified_now.append(app)

    # In notice: the running notice, started a couple of days ago.
    starts2 = _working_on_or_before(days_ago(2))
    notice2 = b.notice(current, starts2, closed=False)
    in_notice = []
    for i, e in enumerate(by_status[S.IN_NOTICE]):
        submitted = _day(rng, days_ago(75), days_ago(40))
        reviewed = submitted + dt.timedelta(days=rng.randint(2, 7))
        proposed = _day(rng, reviewed + dt.timedelta(days=5), starts2 - dt.timedelta(days=1))
        in_notice.append(
            b.application(
                e,
                current,
                A,
                created=created_before(submitted),
                steps=[
                    ("submit", submitted, ""),
                    ("start_review", reviewed, ""),
                    ("propose", proposed, ""),
                    ("publish", starts2, ""),
                ],
                notice=notice2,
                site_visit=i == 0,
                **a_scores(),
            )
        )
    for e in by_status[S.PROPOSED]:
        submitted = _day(rng, days_ago(60), days_ago(35))
        reviewed = submitted + dt.timedelta(days=rng.randint(3, 7))
        b.application(
            e,
            current,
            A,
            created=created_before(submitted),
            steps=[
                ("submit", submitted, ""),
                ("start_review", reviewed, ""),
                ("propose", _day(rng, days_ago(12), days_ago(2)), ""),
            ],
            **a_scores(),
        )
    for i, e in enumerate(by_status[S.UNDER_REVIEW]):
        submitted = _day(rng, days_ago(40), days_ago(16))
        b.application(
            e,
            current,
            A,
            created=created_before(submitted),
            steps=[("submit", submitted, ""), ("start_review", _day(rng, days_ago(14), days_ago(2)), "")],
            reviewed_items=[len(b.items) * 2 // 3, len(b.items) // 3, 0][i % 3],
            site_visit=i == 0,
            **a_scores(),
        )
    for i, e in enumerate(by_status[S.RETURNED]):
        submitted = _day(rng, days_ago(80), days_ago(45))
        reviewed = submitted + dt.timedelta(days=rng.randint(3, 6))
        b.application(
            e,
            current,
            A,
            created=created_before(submitted),
            steps=[
                ("submit", submitted, ""),
                ("start_review", reviewed, ""),
                ("return", reviewed + dt.timedelta(days=rng.randint(5, 12)), RETURN_REASONS[i % 2]),
            ],
            reviewed_items=len(b.items) // 2,
            **a_scores(),
        )
    for e in by_status[S.SUBMITTED]:
        submitted = _day(rng, days_ago(14), days_ago(1))
        b.application(
            e,
            current,
            A,
            created=created_before(submitted),
            steps=[("submit", submitted, "")],
            self_total=_half_points(rng, 82, 95),
        )
    # Rejected: one for its score, one for a veto event recorded during the review.
    low, vetoed = by_status[S.REJECTED]
    submitted = _day(rng, days_ago(90), days_ago(60))
    reviewed = submitted + dt.timedelta(days=rng.randint(3, 6))
    review_total = _half_points(rng, 70, 78)
    b.application(
        low,
        current,
        A,
        created=created_before(submitted),
        steps=[
            ("submit", submitted, ""),
            ("start_review", reviewed, ""),
            (
                "reject",
                reviewed + dt.timedelta(days=rng.randint(10, 20)),
                LOW_SCORE_REASON.format(score=review_total, cutoff=A.min_score),
            ),
        ],
        self_total=review_total + _half_points(rng, 3, 8),
        review_total=review_total,
    )
    catalogue = selectors.veto_catalogue()
    veto_day = days_ago(60)
    veto_kind = "wage_arrears_blacklist" if "wage_arrears_blacklist" in catalogue else next(iter(catalogue))
    veto_source = (
        f"柳州市人力资源和社会保障局《拖欠农民工工资失信联合惩戒对象名单》（{veto_day.year}年第3批）"
    )
    submitted = _day(rng, days_ago(100), days_ago(75))
    reviewed = submitted + dt.timedelta(days=rng.randint(3, 6))
    b.application(
        vetoed,
        current,
        A,
        created=created_before(submitted),
        steps=[
            ("submit", submitted, ""),
            ("start_review", reviewed, ""),
            (
                "reject",
                veto_day + dt.timedelta(days=rng.randint(3, 8)),
                f"一票否决事项“{catalogue[veto_kind]}”（{veto_day}，{veto_source}）。",
            ),
        ],
        reviewed_items=len(b.items) // 2,
        **a_scores(),
    )
    # Withdrawn: one as a draft, one after submission.
    from_draft, from_submitted = by_status[S.WITHDRAWN]
    created = _day(rng, opens + dt.timedelta(days=10), opens + dt.timedelta(days=40))
    b.application(
        from_draft,
        current,
        A,
        created=created,
        steps=[("withdraw", created + dt.timedelta(days=rng.randint(20, 60)), WITHDRAW_REASONS[0])],
        self_total=_half_points(rng, 75, 85),
        scored_items=len(b.items) // 2,
        evidence_items=4,
        group=False,
        disclosure=False,
    )
    submitted = _day(rng, days_ago(60), days_ago(40))
    b.application(
        from_submitted,
        current,
        A,
        created=created_before(submitted),
        steps=[
            ("submit", submitted, ""),
            ("withdraw", submitted + dt.timedelta(days=rng.randint(3, 10)), WITHDRAW_REASONS[1]),
        ],
        self_total=_half_points(rng, 80, 88),
    )
    # Drafts: almost ready (no disclosure yet), half done, just started, and one for AA by an
    # enterprise named A last year; the demo HR user's own, two categories scored.
    drafts = by_status[S.DRAFT]
    b.application(
        drafts[0],
        current,
        A,
        created=days_ago(rng.randint(20, 30)),
        self_total=_half_points(rng, 84, 92),
        disclosure=False,
    )
    b.application(
        drafts[1],
        current,
        A,
        created=days_ago(rng.randint(8, 15)),
        self_total=_half_points(rng, 84, 92),
        scored_items=len(b.items) // 2,
        evidence_items=len(b.evidence_items) // 3,
        group=False,
        disclosure=False,
    )
    b.application(
        drafts[2],
        current,
        A,
        created=days_ago(rng.randint(1, 5)),
        scored_items=0,
        evidence_items=0,
        group=False,
        disclosure=False,
    )
    if a_last:
        b.application(
            a_last[0],
            current,
            AA,
            created=days_ago(rng.randint(3, 10)),
            self_total=_half_points(rng, 86, 93),
            scored_items=len(b.items) // 3,
            evidence_items=3,
            group=False,
            disclosure=False,
        )
    first_category = sum(1 for it in b.items if it.category_id == b.items[0].category_id)
    second = sum(1 for it in b.items if it.category_id == b.items[first_category].category_id)
    b.application(
        hr_enterprise,
        current,
        A,
        created=days_ago(4),
        self_total=_half_points(rng, 86, 94),
        scored_items=first_category + second,
        evidence_items=sum(1 for it in b.evidence_items if it.category_id == b.items[0].category_id),
        group=False,
        disclosure=False,
    )
    b.save()

    # One open objection in the running notice; one dismissed in the closed one.
    objections = [
        Objection(
            application=in_notice[-1],
            name=demo.person_name(rng),
            phone=demo.phone(rng),
            content=OBJECTION,
            created_at=_at(rng, max(starts2, days_ago(1))),
            updated_at=_at(rng, max(starts2, days_ago(1))),
        )
    ]
    if certified_now:
        filed = _at(rng, starts1 + dt.timedelta(days=1))
        resolved = filed + dt.timedelta(days=1)
        objections.append(
            Objection(
                application=certified_now[0],
                name=demo.person_name(rng),
                phone=demo.phone(rng),
                content="反映该企业有职工未签订劳动合同，请核实。",
                status=Objection.Status.DISMISSED,
                resolution=DISMISSED_OBJECTION,
                resolved_by=admin,
                resolved_at=resolved,
                created_at=filed,
                updated_at=resolved,
            )
        )
    with _given_timestamps(Objection):
        Objection.objects.bulk_create(objections)

    # Veto events: one old, outside the 24-month window (its enterprise has applied again), one
    # recent on an enterprise without a title (its application was rejected for it).
    old_day = today - relativedelta(months=30)
    old_kind = "serious_violation" if "serious_violation" in catalogue else veto_kind
    # An enterprise that already existed then.
    offender = next(
        (e for e in by_status[S.SUBMITTED] if e.established_on < old_day - relativedelta(years=1)),
        by_status[S.SUBMITTED][0],
    )
    events = [
        VetoEvent(
            enterprise=offender,
            kind=old_kind,
            kind_name=catalogue[old_kind],
            occurred_on=old_day,
            source=f"柳州市人力资源和社会保障局重大劳动保障违法行为社会公布（{old_day.year}年第2期）",
            note="已整改完毕。",
            origin=VetoEvent.Origin.INSPECTION,
            recorded_by=admin,
            created_at=_at(rng, old_day + dt.timedelta(days=5)),
            updated_at=_at(rng, old_day + dt.timedelta(days=5)),
        ),
        VetoEvent(
            enterprise=vetoed,
            kind=veto_kind,
            kind_name=catalogue[veto_kind],
            occurred_on=veto_day,
            source=veto_source,
            origin=VetoEvent.Origin.MANUAL,
            recorded_by=admin,
            created_at=_at(rng, veto_day + dt.timedelta(days=2)),
            updated_at=_at(rng, veto_day + dt.timedelta(days=2)),
        ),
    ]
    with _given_timestamps(VetoEvent):
        VetoEvent.objects.bulk_create(events)
    # Two PDFs, rendered now: the running notice and one certificate (the others show none).
    _render(
        stdout,
        notice2,
        kind="certification_notice",
        title=notice2.title,
        template_name="certification/pdf/notice.html",
        context=selectors.notice_pdf_context(notice2),
        created_by=admin,
    )
    cert = next((c for c in b.certs if c.level == AAA and c.status == Certificate.Status.VALID), None)
    if cert is not None:
        _render(
            stdout,
            cert,
            kind="certificate",
            title=f"证书 {cert.number}",
            template_name="certification/pdf/certificate.html",
            context=selectors.certificate_pdf_context(cert),
            created_by=admin,
        )
    _summary(stdout, today, created=len(b.apps))
