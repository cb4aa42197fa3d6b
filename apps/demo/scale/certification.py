"""Harmony certification at district scale: four yearly rounds (the three before this year's,
closed, and this year's, open) under the default rule set of migration 0002, with the planned
number of applications in every state and the certificates that follow from the certified ones.

An enterprise applies at most once a round, when it is eligible (operating, at least the rule
set's minimum of employees, a year in operation): for level A, or for the next level when it has
held its title for the months the level requires (`Level.months_at_lower`). The closed rounds end
with their applications certified, rejected or withdrawn; this year's has them in every state, with
a closed public notice (its applications certified) and a running one. Each application has its
self-evaluation scores for every item (and the reviewer's from the review on, at or above the
level's cut-off for the certified ones), its group meeting the 2/3 rule, its disclosure and its
history along the lifecycle table. Certificates are numbered per round and level as
`services._next_number` does, valid for the rule set's years, lapsed once their validity ended, a
few revoked after a veto event; their annual reports are handed in when due. No evidence files:
the pages allow applications without them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from apps.certification import rules
from apps.certification.models import (
    AnnualReport,
    Application,
    ApplicationHistory,
    Certificate,
    CertificateHistory,
    GroupMember,
    Item,
    ItemScore,
    PublicNotice,
    Round,
    RuleSet,
    VetoEvent,
)
from apps.certification.workflow import WORKFLOW
from apps.core.calendar import day_info, load_overrides
from apps.demo import generators as demo
from apps.demo.certification import (
    DEDUCTIONS,
    EXPIRED_REASON,
    LOW_SCORE_REASON,
    REPORT_TEXT,
    RETURN_REASONS,
    REVIEW_COMMENTS,
    REVOKE_REASON,
    SUMMARIES,
    WITHDRAW_REASONS,
)
from apps.enterprises.choices import Status as EnterpriseStatus

from .base import DAY, Rng, Tables

S = Application.Status
HALF = Decimal("0.5")
#: Share of the applications per round, oldest first.
ROUND_SHARES = (0.22, 0.25, 0.27, 0.26)
CLOSED_MIX = ((S.CERTIFIED, 74), (S.REJECTED, 15), (S.WITHDRAWN, 11))
CURRENT_MIX = (
    (S.DRAFT, 10),
    (S.SUBMITTED, 8),
    (S.UNDER_REVIEW, 10),
    (S.RETURNED, 4),
    (S.PROPOSED, 6),
    (S.IN_NOTICE, 7),
    (S.CERTIFIED, 45),
    (S.REJECTED, 6),
    (S.WITHDRAWN, 4),
)
#: Nominal starts of a closed round's public notices (month, day): three batches a year.
NOTICES = ((7, 10), (9, 8), (11, 5))
REVOKED_SHARE = 0.004


class Certification:
    def __init__(self, rng: Rng, clock, tables: Tables, enterprises, context, counts):
        self.rng, self.clock, self.t = rng, clock, tables
        self.today = clock.today
        self.enterprises = enterprises
        self.context = context
        self.counts = counts
        self.rs = RuleSet.objects.filter(version=1).order_by("-year").first()
        if self.rs is None:  # pragma: no cover - migration 0002 creates it
            raise RuntimeError("no default certification rule set (migration 0002)")
        self.levels = list(self.rs.levels.order_by("rank"))
        self.items = list(
            Item.objects.filter(category__rule_set=self.rs).order_by("category__order", "order")
        )
        self.admin = context["logins"].get("admin")
        self.overrides = load_overrides(
            dt.date(self.today.year - 4, 1, 1), self.today + dt.timedelta(days=60)
        )
        self.numbers: dict = {}
        #: enterprise id -> [(level rank, issued_on, valid_until, status)]
        self.titles: dict = {}

    def working_on_or_after(self, day):
        while not day_info(day, overrides=self.overrides).is_working_day:
            day += DAY
        return day

    def half_points(self, low, high) -> Decimal:
        return Decimal(self.rng.randint(int(low * 2), int(high * 2))) / 2

    def spread(self, total: Decimal, start=None) -> list[Decimal]:
        """Item scores summing to `total`, in half points from the maximum (or from `start`), none
        below 40 % of the item's maximum."""
        rng = self.rng
        scores = list(start) if start else [it.max_points for it in self.items]
        deficit = sum(scores, Decimal(0)) - total
        n = len(self.items)
        while deficit > 0:
            i = rng.randrange(n)
            if scores[i] - HALF >= self.items[i].max_points * Decimal("0.4"):
                scores[i] -= HALF
                deficit -= HALF
        return scores

    # Rounds and notices -------------------------------------------------------------------------

    def rounds(self):
        today = self.today
        opens = (today - relativedelta(months=8)).replace(day=1)
        year = opens.year
        closes = max(dt.date(year, 12, 31), today + dt.timedelta(weeks=6))
        out = []
        for y in range(year - 3, year + 1):
            current = y == year
            rnd = {
                "id": self.rng.uuid(),
                "rule_set_id": self.rs.pk,
                "name": f"{y}年度",
                "year": y,
                "opens_on": opens if current else dt.date(y, 3, 1),
                "closes_on": closes if current else dt.date(y, 12, 31),
            }
            self.t[Round].add(rnd)
            out.append(rnd)
        return out

    def notice(self, rnd, starts_on, *, closed: bool):
        rng = self.rng
        ends_on, estimated = rules.notice_period(self.rs, starts_on)
        published = self.clock.at(rng, starts_on, (9, 10))
        row = {
            "id": rng.uuid(),
            "created_at": published,
            "updated_at": published,
            "round_id": rnd["id"],
            "title": f"关于{rnd['name']}劳动关系和谐企业拟认定名单的公示（第{len(self.notices.get(rnd['id'], [])) + 1}批）",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "estimated": estimated,
            "published_by_id": self.admin,
            "closed_at": self.clock.at(rng, ends_on + DAY, (2, 2)) if closed else None,
        }
        self.t[PublicNotice].add(row)
        self.notices.setdefault(rnd["id"], []).append(row)
        return row

    # Applications --------------------------------------------------------------------------------

    def eligible(self, e, on: dt.date) -> bool:
        return (
            e.status == EnterpriseStatus.OPERATING
            and e.employees >= self.rs.min_employees
            and e.established_on is not None
            and e.established_on + relativedelta(years=self.rs.min_years_operating) <= on
        )

    def target(self, e, on: dt.date):
        """The level the enterprise may apply for on `on`, or None (already at the top, or not yet
        long enough at its level)."""
        held = [
            (rank, issued) for rank, issued, until, status in self.titles.get(e.id, ())
            if status == Certificate.Status.VALID and issued <= on <= until
        ]  # fmt: skip
        if not held:
            return self.levels[0]
        rank, issued = max(held)
        if rank >= len(self.levels):
            return None
        nxt = self.levels[rank]
        if issued + relativedelta(months=nxt.months_at_lower) > on:
            return None
        return nxt

    def application(self, e, rnd, level, status, *, created, steps, notice=None, self_total=None,
                    review_total=None, reviewed=True, group=True):  # fmt: skip
        rng, clock, t = self.rng, self.clock, self.t
        app_id = rng.uuid()
        created_at = clock.at(rng, created)
        state, last = S.DRAFT, created_at
        submitted_at = None
        hr = e.hr_user_id
        for action, day, reason in steps:
            transition = WORKFLOW.get(action)
            assert state in transition.sources, (action, state)
            when = clock.at(rng, day, (2, 2)) if action == "certify" else clock.at(rng, day)
            when = max(when, last + dt.timedelta(minutes=5))
            if action == "certify":
                actor, label = None, "system"
            elif action in ("submit", "withdraw"):
                actor, label = hr, (e.hr_username or e.contact_name or e.name)
            else:
                actor, label = self.admin, "admin"
            t[ApplicationHistory].add(
                {
                    "id": rng.uuid(),
                    "subject_id": app_id,
                    "at": when,
                    "action": action,
                    "from_status": state,
                    "to_status": transition.target,
                    "actor_id": actor,
                    "actor_label": label,
                    "reason": reason,
                }
            )
            if action == "submit" and submitted_at is None:
                submitted_at = when
            state, last = transition.target, when
        assert state == status, (state, status)
        self_scores = self.spread(self_total) if self_total is not None else [None] * len(self.items)
        review_scores = self.spread(review_total, start=self_scores) if review_total is not None else None
        review_day = next((d for a, d, _r in steps if a in ("propose", "return", "reject")), None)
        review_start = next((d for a, d, _r in steps if a == "start_review"), None)
        if review_start and review_day is None:
            review_day = rng.day(review_start, self.today - DAY)
        n_reviewed = len(self.items) if reviewed else len(self.items) // 2
        for i, it in enumerate(self.items):
            row = {"application_id": app_id, "item_id": it.pk, "self_score": self_scores[i]}
            if review_scores is not None and i < n_reviewed:
                row["review_score"] = review_scores[i]
                row["reviewed_by_id"] = self.admin
                row["reviewed_at"] = clock.at(rng, review_day)
                if review_scores[i] < self_scores[i]:
                    row["review_note"] = rng.choice(DEDUCTIONS)
            t[ItemScore].add(row)
        row = {
            "id": app_id,
            "created_at": created_at,
            "updated_at": last,
            "round_id": rnd["id"],
            "rule_set_id": self.rs.pk,
            "enterprise_id": e.id,
            "target_level_id": level.pk,
            "status": status,
            "self_score": sum((s for s in self_scores if s is not None), Decimal(0)),
            "reviewed_score": sum(review_scores[:n_reviewed], Decimal(0)) if review_scores else None,
            "proposed_level_id": level.pk if any(a == "propose" for a, _d, _r in steps) else None,
            "submitted_at": submitted_at,
            "notice_id": notice["id"] if notice else None,
            "created_by_id": hr,
            "reviewer_id": self.admin if review_start else None,
            "review_comments": rng.choice(REVIEW_COMMENTS) if review_scores else "",
        }
        if group:
            reps = rng.randint(4, 6)
            others = rng.randint(1, reps // 2)
            roles = [GroupMember.Role.MANAGEMENT] + [GroupMember.Role.DEPARTMENT_HEAD] * (others - 1)
            unions = rng.randint(1, 2)
            roles += [GroupMember.Role.UNION_REP] * unions + [GroupMember.Role.WORKER_REP] * (reps - unions)
            assert rules.group_ratio_met(reps, len(roles), self.rs)
            for role in roles:
                t[GroupMember].add(
                    {"application_id": app_id, "name": demo.person_name(rng), "role": role, "position": ""}
                )
            end = (submitted_at.date() if submitted_at else self.today) - dt.timedelta(days=rng.randint(1, 3))
            row["summary"] = rng.choice(SUMMARIES)
            row["disclosure_method"] = Application.Disclosure.POSTED
            row["posted_to"] = end
            row["posted_from"] = end - dt.timedelta(days=rng.randint(self.rs.disclosure_min_days, 20) - 1)
        t[Application].add(row)
        return row

    def certificate(self, e, app, rnd, level, issued_on: dt.date):
        rng, clock, rs, t = self.rng, self.clock, self.rs, self.t
        key = (rnd["year"], level.code)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        issued_at = clock.at(rng, issued_on, (2, 2))
        cert_id = rng.uuid()
        valid_until = issued_on + relativedelta(years=rs.validity_years) - DAY
        status, ended, reason = Certificate.Status.VALID, None, ""
        if valid_until < self.today:
            status, ended, reason = (
                Certificate.Status.LAPSED,
                valid_until + DAY,
                EXPIRED_REASON.format(date=valid_until),
            )
        elif rng.random() < REVOKED_SHARE and issued_on < self.today - dt.timedelta(days=120):
            status = Certificate.Status.REVOKED
            ended = rng.day(issued_on + dt.timedelta(days=90), self.today - dt.timedelta(days=5))
            reason = REVOKE_REASON.format(year=ended.year)
            occurred = ended - dt.timedelta(days=rng.randint(5, 30))
            t[VetoEvent].add(
                {
                    "id": rng.uuid(),
                    "created_at": clock.at(rng, occurred + dt.timedelta(days=2)),
                    "updated_at": clock.at(rng, occurred + dt.timedelta(days=2)),
                    "enterprise_id": e.id,
                    "kind": "serious_violation",
                    "kind_name": "发生重大劳动保障违法行为",
                    "occurred_on": occurred,
                    "source": f"柳州市人力资源和社会保障局重大劳动保障违法行为社会公布（{occurred.year}年）",
                    "origin": VetoEvent.Origin.INSPECTION,
                    "recorded_by_id": self.admin,
                }
            )
        updated = issued_at
        if ended is not None:
            revoked = status == Certificate.Status.REVOKED
            updated = clock.at(rng, ended) if revoked else clock.at(rng, ended, (2, 2))
            t[CertificateHistory].add(
                {
                    "id": rng.uuid(),
                    "subject_id": cert_id,
                    "at": updated,
                    "action": "revoke" if revoked else "lapse",
                    "from_status": Certificate.Status.VALID,
                    "to_status": status,
                    "actor_id": self.admin if revoked else None,
                    "actor_label": "admin" if revoked else "system",
                    "reason": reason,
                }
            )
        t[Certificate].add(
            {
                "id": cert_id,
                "created_at": issued_at,
                "updated_at": updated,
                "number": f"{rs.number_prefix}{rnd['year']}-{level.code}-{self.numbers[key]:04d}",
                "application_id": app["id"],
                "enterprise_id": e.id,
                "level_id": level.pk,
                "round_id": rnd["id"],
                "issuer": rs.issuer,
                "issued_on": issued_on,
                "valid_until": valid_until,
                "status": status,
                "ended_on": ended,
                "end_reason": reason,
            }
        )
        for n in range(1, rs.validity_years):
            anniversary = issued_on + relativedelta(years=n)
            due = anniversary + dt.timedelta(days=rs.report_grace_days)
            report = {
                "id": rng.uuid(),
                "created_at": issued_at,
                "updated_at": issued_at,
                "certificate_id": cert_id,
                "year_no": n,
                "due_on": due,
            }
            if anniversary <= self.today - DAY and (ended is None or anniversary < ended):
                when = clock.at(rng, rng.day(anniversary - dt.timedelta(days=7), min(due, self.today) - DAY))
                employees = max(rs.min_employees, round(e.employees * rng.uniform(0.9, 1.05)))
                report.update(
                    submitted_at=when,
                    updated_at=when,
                    submitted_by_id=e.hr_user_id,
                    employees=employees,
                    contracts_signed=employees - rng.randint(0, max(0, employees // 50)),
                    disputes=rng.choice([0, 0, 0, 1, 2]),
                    content=REPORT_TEXT,
                )
            t[AnnualReport].add(report)
        self.titles.setdefault(e.id, []).append((level.rank, issued_on, valid_until, status))

    def build(self, stdout):
        rng = self.rng
        self.notices: dict = {}
        rounds = self.rounds()
        total = self.counts["applications"]
        per_round = [round(total * share) for share in ROUND_SHARES]
        per_round[-1] = total - sum(per_round[:-1])
        made = {}
        carried = 0  # applications a round could not take (too few eligible), left to the next
        for index, (rnd, n) in enumerate(zip(rounds, per_round, strict=True)):
            current = index == len(rounds) - 1
            n += carried
            first_submission = rnd["opens_on"] + dt.timedelta(days=30)
            pool = []
            for e in self.enterprises:
                if self.eligible(e, first_submission):
                    level = self.target(e, first_submission)
                    if level is not None:
                        pool.append((e, level))
            # Title holders climbing first (they are the likeliest to apply), then others.
            climbing = [p for p in pool if p[1].rank > 1]
            others = [p for p in pool if p[1].rank == 1]
            rng.shuffle(climbing)
            rng.shuffle(others)
            chosen = (climbing[: int(n * 0.45)] + others)[:n]
            if len(chosen) < n:
                chosen = (climbing + others)[:n]
            statuses = [rng.weighted(CURRENT_MIX if current else CLOSED_MIX) for _ in chosen]
            if current and len(chosen) < n:
                # Too few eligible (tiny scales only): drafts, which nothing checks before submission.
                taken = {e.id for e, _level in chosen}
                extra = [
                    (e, self.target(e, self.today) or self.levels[0])
                    for e in self.enterprises
                    if e.id not in taken and e.status == EnterpriseStatus.OPERATING
                ][: n - len(chosen)]
                chosen += extra
                statuses += [S.DRAFT] * len(extra)
            carried = n - len(chosen)
            if current:
                self.current_round(rnd, chosen, statuses)
            else:
                self.closed_round(rnd, chosen, statuses)
            for s in statuses:
                made[s] = made.get(s, 0) + 1
        short = carried
        certs = sum(self.numbers.values())
        stdout.write(
            f"  certification: {sum(made.values())} applications in {len(rounds)} rounds ("
            + ", ".join(f"{v} {k}" for k, v in sorted(made.items()))
            + f"), {certs} certificates"
            + (f"; {short} fewer than planned (not enough eligible enterprises)" if short else "")
        )

    def _created(self, rnd, submitted):
        return max(rnd["opens_on"], submitted - dt.timedelta(days=self.rng.randint(20, 45)))

    def _scores(self, level, *, passing=True):
        cutoff = level.min_score
        if passing:
            review = self.half_points(cutoff, min(cutoff + 8, Decimal(98)))
        else:
            review = self.half_points(cutoff - 12, cutoff - 2)
        return {"self_total": min(Decimal(100), review + self.half_points(0, 3)), "review_total": review}

    def closed_round(self, rnd, chosen, statuses):
        rng = self.rng
        year = rnd["year"]
        notices = [
            self.notice(rnd, self.working_on_or_after(dt.date(year, m, d)), closed=True) for m, d in NOTICES
        ]
        for (e, level), status in zip(chosen, statuses, strict=True):
            notice = rng.choice(notices)
            starts = notice["starts_on"]
            low = dt.date(year, 4, 1)
            submitted = rng.day(low, starts - dt.timedelta(days=20))
            reviewed = submitted + dt.timedelta(days=rng.randint(2, 7))
            if status == S.CERTIFIED:
                proposed = rng.day(reviewed + dt.timedelta(days=3), starts - DAY)
                issued = notice["ends_on"] + DAY
                app = self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted), notice=notice,
                    steps=[("submit", submitted, ""), ("start_review", reviewed, ""), ("propose", proposed, ""),
                           ("publish", starts, ""), ("certify", issued, "")],
                    **self._scores(level),
                )  # fmt: skip
                self.certificate(e, app, rnd, level, issued)
            elif status == S.REJECTED:
                scores = self._scores(level, passing=False)
                reason = LOW_SCORE_REASON.format(score=scores["review_total"], cutoff=level.min_score)
                self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted),
                    steps=[("submit", submitted, ""), ("start_review", reviewed, ""),
                           ("reject", reviewed + dt.timedelta(days=rng.randint(5, 20)), reason)],
                    **scores,
                )  # fmt: skip
            else:
                self._withdrawn(e, rnd, level, submitted)

    def _withdrawn(self, e, rnd, level, submitted):
        rng = self.rng
        if rng.random() < 0.5:
            created = self._created(rnd, submitted)
            self.application(
                e, rnd, level, S.WITHDRAWN, created=created, group=False,
                steps=[("withdraw", min(created + dt.timedelta(days=rng.randint(10, 60)), self.today - DAY), WITHDRAW_REASONS[0])],
                self_total=self.half_points(75, 85),
            )  # fmt: skip
        else:
            self.application(
                e, rnd, level, S.WITHDRAWN, created=self._created(rnd, submitted),
                steps=[("submit", submitted, ""),
                       ("withdraw", min(submitted + dt.timedelta(days=rng.randint(3, 10)), self.today - DAY), WITHDRAW_REASONS[1])],
                self_total=self.half_points(80, 88),
            )  # fmt: skip

    def current_round(self, rnd, chosen, statuses):
        rng, today = self.rng, self.today
        opens = rnd["opens_on"]
        first = opens + dt.timedelta(days=30)

        def ago(n):
            return today - dt.timedelta(days=n)

        closed_notice = self.notice(rnd, self.working_on_or_after(ago(45)), closed=True)
        running = self.notice(
            rnd,
            self.working_on_or_after(ago(4)) if self.working_on_or_after(ago(4)) < today else ago(2),
            closed=False,
        )
        for (e, level), status in zip(chosen, statuses, strict=True):
            scores = self._scores(level)
            if status == S.CERTIFIED:
                starts = closed_notice["starts_on"]
                submitted = rng.day(first, starts - dt.timedelta(days=25))
                reviewed = submitted + dt.timedelta(days=rng.randint(2, 7))
                proposed = rng.day(reviewed + dt.timedelta(days=3), starts - DAY)
                issued = closed_notice["ends_on"] + DAY
                app = self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted), notice=closed_notice,
                    steps=[("submit", submitted, ""), ("start_review", reviewed, ""), ("propose", proposed, ""),
                           ("publish", starts, ""), ("certify", issued, "")],
                    **scores,
                )  # fmt: skip
                self.certificate(e, app, rnd, level, issued)
            elif status == S.IN_NOTICE:
                starts = running["starts_on"]
                submitted = rng.day(ago(80), ago(40))
                reviewed = submitted + dt.timedelta(days=rng.randint(2, 7))
                proposed = rng.day(reviewed + dt.timedelta(days=3), starts - DAY)
                self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted), notice=running,
                    steps=[("submit", submitted, ""), ("start_review", reviewed, ""), ("propose", proposed, ""),
                           ("publish", starts, "")],
                    **scores,
                )  # fmt: skip
            elif status == S.PROPOSED:
                submitted = rng.day(ago(60), ago(30))
                reviewed = submitted + dt.timedelta(days=rng.randint(2, 7))
                self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted),
                    steps=[("submit", submitted, ""), ("start_review", reviewed, ""),
                           ("propose", rng.day(reviewed + DAY, ago(1)), "")],
                    **scores,
                )  # fmt: skip
            elif status == S.UNDER_REVIEW:
                submitted = rng.day(ago(40), ago(10))
                self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted), reviewed=rng.random() < 0.5,
                    steps=[("submit", submitted, ""), ("start_review", rng.day(submitted + DAY, ago(1)), "")],
                    **scores,
                )  # fmt: skip
            elif status == S.RETURNED:
                submitted = rng.day(ago(80), ago(30))
                reviewed = submitted + dt.timedelta(days=rng.randint(2, 6))
                self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted), reviewed=False,
                    steps=[("submit", submitted, ""), ("start_review", reviewed, ""),
                           ("return", min(reviewed + dt.timedelta(days=rng.randint(5, 12)), ago(1)), rng.choice(RETURN_REASONS))],
                    **scores,
                )  # fmt: skip
            elif status == S.SUBMITTED:
                submitted = rng.day(ago(14), ago(1))
                self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted),
                    steps=[("submit", submitted, "")], self_total=scores["self_total"],
                )  # fmt: skip
            elif status == S.REJECTED:
                scores = self._scores(level, passing=False)
                submitted = rng.day(first, ago(60))
                reviewed = submitted + dt.timedelta(days=rng.randint(2, 6))
                reason = LOW_SCORE_REASON.format(score=scores["review_total"], cutoff=level.min_score)
                self.application(
                    e, rnd, level, status, created=self._created(rnd, submitted),
                    steps=[("submit", submitted, ""), ("start_review", reviewed, ""),
                           ("reject", rng.day(reviewed + DAY, ago(1)), reason)],
                    **scores,
                )  # fmt: skip
            elif status == S.WITHDRAWN:
                self._withdrawn(e, rnd, level, rng.day(first, ago(20)))
            else:  # draft
                self.application(
                    e, rnd, level, status, created=rng.day(opens, ago(1)), steps=[], group=rng.random() < 0.5,
                    self_total=scores["self_total"] if rng.random() < 0.7 else None,
                )  # fmt: skip


def build(rng: Rng, clock, tables: Tables, enterprises, context, counts, stdout) -> None:
    Certification(rng, clock, tables, enterprises, context, counts).build(stdout)
