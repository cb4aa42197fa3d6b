"""Benchmark of the registry's Excel import and export (not a test):
`manage.py benchmark_registry_import --rows 20000`.

Builds an .xlsx of N valid rows in the template's columns: a share (`--updates`) updates
enterprises registered beforehand for the run (half of those with a survey of last year that the
file replaces), the rest registers new enterprises; a share of all rows (`--surveys`) carries a
survey. Then, as a park administrator, it runs the two steps of an upload: `importing.validate_file`
(read, check every row, store the batch) and `importing.confirm_import` (the Celery task's body:
the bulk write). Last it exports the whole registry as the list page's export buttons do (the
same selector, `importing.export_sheet` / `export_rows` through `apps.core.exports`), as .xlsx and
as CSV. Each phase reports seconds, rows per second, its queries and memory (the process's resident
set before and after, and its peak so far from `resource.getrusage`).

Everything runs in one transaction that is rolled back at the end (unless `--keep`), so the
registry, the audit trail and the benchmark user are left as they were. Because the rows are not
committed, the export reads the primary even when a replica is configured.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import random
import resource
import time
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from stdnum.cn import uscc as uscc_mod

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.core import exports
from apps.core.context import acting_as
from apps.core.models import Area
from apps.core.principal import principal_for_user
from apps.enterprises import importing, selectors, services
from apps.enterprises.models import Enterprise, EnterpriseSurvey, ImportBatch

STEMS = (
    "华达",
    "宏源",
    "鑫盛",
    "锦程",
    "恒通",
    "瑞丰",
    "永利",
    "天成",
    "东方",
    "南岭",
    "龙城",
    "柳江",
    "融创",
    "金桥",
)
TRADES = (
    ("C", "汽车零部件制造"),
    ("C", "机械制造"),
    ("C", "电子科技"),
    ("G", "物流"),
    ("F", "商贸"),
    ("I", "信息技术"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
OWNERSHIPS = ("私营", "有限责任公司", "股份制", "外商投资", "国有", "集体")


def _uscc(number: int) -> str:
    """A valid unified social credit code whose organisation code is built from `number`."""
    body = [int(d) for d in f"{number % 10**8:08d}"]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(d * w for d, w in zip(body, weights, strict=True)) % 11
    org_code = "".join(map(str, body)) + ("X" if c == 10 else "0" if c == 11 else str(c))
    first17 = "91450271" + org_code
    return first17 + uscc_mod.calc_check_digit(first17)


def _rss_mb() -> float:
    """The process's resident set now."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:  # pragma: no cover - not Linux
        return 0.0


def _peak_mb() -> float:
    """The process's peak resident set so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


@contextlib.contextmanager
def _counting_queries():
    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


class Command(BaseCommand):
    help = "Validate, confirm and export N generated registry rows; print rows per second and memory (not a test)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20_000, help="Rows in the file (at most 20,000).")
        parser.add_argument(
            "--updates", type=float, default=0.2, help="Share of rows updating registered enterprises."
        )
        parser.add_argument("--surveys", type=float, default=0.5, help="Share of rows with a survey.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed (default: a new one).")
        parser.add_argument(
            "--keep", action="store_true", help="Commit what the run wrote (default: roll back)."
        )
        parser.add_argument(
            "--profile", metavar="FILE", help="Write cProfile stats of the confirmation to FILE."
        )
        parser.add_argument(
            "--row-by-row",
            action="store_true",
            help="Confirm through the single-row services, as before the bulk write (for comparison).",
        )

    def handle(self, *args, rows, updates, surveys, seed, keep, profile, row_by_row, **options):
        if not 1 <= rows <= importing.MAX_IMPORT_ROWS:
            raise CommandError(f"--rows must be between 1 and {importing.MAX_IMPORT_ROWS}.")
        if not (0 <= updates <= 1 and 0 <= surveys <= 1):
            raise CommandError("--updates and --surveys are shares between 0 and 1.")
        seed = seed if seed is not None else random.SystemRandom().randrange(10**9)
        self.rng = random.Random(seed)
        self.row_by_row = row_by_row
        with transaction.atomic():
            self._run(rows, updates, surveys, seed, profile)
            if not keep:
                transaction.set_rollback(True)
        self.stdout.write(
            "Kept what the run wrote."
            if keep
            else "Rolled back: the registry and the audit trail are as before."
        )

    # Setting up -----------------------------------------------------------------------------------

    def _run(self, n, update_share, survey_share, seed, profile):
        user = self._park_admin(seed)
        principal = principal_for_user(user)
        towns = self._towns()
        n_updates = round(n * update_share)
        began = time.perf_counter()
        registered = self._registered(n_updates, towns)
        content, with_survey = self._workbook(n, registered, towns, survey_share)
        self.stdout.write(
            f"{n:,} rows ({n_updates:,} updates of registered enterprises, the rest new; "
            f"{with_survey:,} with a survey), file of {len(content) / 1e6:.1f} MB built in "
            f"{time.perf_counter() - began:.1f} s, seed {seed}; {Enterprise.objects.count():,} enterprises registered"
        )
        with acting_as("command:benchmark_registry_import", user):
            batch = self._phase(
                "validate",
                n,
                lambda: importing.validate_file(SimpleUploadedFile("registry.xlsx", content), principal),
            )
            if batch.errors:
                raise CommandError(f"The generated file has errors: {batch.errors[:3]}")
            label = "confirm (row by row)" if self.row_by_row else "confirm"
            result = self._phase(label, n, lambda: self._confirm(principal, batch, profile))
            batch.refresh_from_db()
            if batch.status != ImportBatch.Status.CONFIRMED:  # pragma: no cover - confirm raises
                raise CommandError(f"The batch is {batch.status}.")
            self.stdout.write(
                f"  created {result['created']:,}, updated {result['updated']:,}, surveys {result['surveys']:,}"
            )
            _, queryset = selectors.enterprise_list(principal, {})
            total = queryset.count()
            self._phase("export .xlsx", total, lambda: self._export_xlsx(queryset), unit="enterprises")
            self._phase("export CSV", total, lambda: self._export_csv(queryset), unit="enterprises")

    def _park_admin(self, seed) -> User:
        park = Organisation.objects.filter(
            kind=Organisation.Kind.PARK
        ).first() or Organisation.objects.create(name="基准测试园区", kind=Organisation.Kind.PARK)
        user = User.objects.create(username=f"benchmark-registry-{seed}", full_name="名录导入基准测试")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organisation=park, role=Role.PARK_ADMIN)
        return user

    def _towns(self) -> list[Area]:
        towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code")[:20])
        if towns:
            return towns
        taken = set(Area.objects.values_list("code", flat=True))
        codes = [c for c in (f"4502999{i:02d}" for i in range(100)) if c not in taken][:3]
        return [
            Area.objects.create(name=f"基准测试镇{i + 1}", code=c, kind=Area.Kind.TOWN)
            for i, c in enumerate(codes)
        ]

    def _codes(self, n: int, taken: set) -> list[str]:
        codes, number = [], self.rng.randrange(10**7)
        while len(codes) < n:
            number += 1
            code = _uscc(number)
            if code not in taken:
                taken.add(code)
                codes.append(code)
        return codes

    def _registered(self, n: int, towns) -> list[Enterprise]:
        """n enterprises registered before the file (in bulk, as the demo does); half of them
        with last year's survey, which the file then replaces."""
        self.taken = set(Enterprise.objects.values_list("uscc", flat=True)) | set(
            Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).values_list("code", flat=True)
        )
        orgs, companies, surveys = [], [], []
        year = dt.date.today().year - 1
        for i, code in enumerate(self._codes(n, self.taken)):
            name = self._name(i, "登记")
            town = towns[i % len(towns)]
            org = Organisation(name=name, kind=Organisation.Kind.ENTERPRISE, code=code, area=town)
            e = Enterprise(
                organisation=org,
                uscc=code,
                name=name,
                town=town,
                industry="C",
                ownership="private",
                employees=100,
            )
            if i % 2 == 0:
                s = EnterpriseSurvey(enterprise=e, year=year, employees=100, union_members=30, women=40)
                e.latest_survey = s
                surveys.append(s)
            orgs.append(org)
            companies.append(e)
        Organisation.objects.bulk_create(orgs, batch_size=1000)
        Enterprise.objects.bulk_create(companies, batch_size=1000)
        EnterpriseSurvey.objects.bulk_create(surveys, batch_size=1000)
        return companies

    def _name(self, i: int, tag: str) -> str:
        section, trade = TRADES[i % len(TRADES)]
        return f"柳州{self.rng.choice(STEMS)}{trade}（{tag}{i + 1}）有限公司"

    def _workbook(self, n, registered, towns, survey_share) -> tuple[bytes, int]:
        """The file (write-only openpyxl, as the platform's own exports are written) and how many
        of its rows have a survey."""
        from openpyxl import Workbook

        rng = self.rng
        year = dt.date.today().year - 1
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(importing.DATA_SHEET_TITLE)
        sheet.append(importing.HEADERS)
        new_codes = iter(self._codes(n - len(registered), self.taken))
        with_survey = 0
        for i in range(n):
            values = {}
            if i < len(registered):
                e = registered[i]
                values.update(uscc=e.uscc, name=e.name if i % 2 else f"{e.name[:-4]}（更名）有限公司")
                values.update(
                    address=f"柳州市柳东新区新安路{rng.randint(1, 688)}号", employees=rng.randint(20, 3000)
                )
            else:
                section, _trade = TRADES[i % len(TRADES)]
                values.update(
                    uscc=next(new_codes),
                    name=self._name(i, "新"),
                    legal_representative=rng.choice(SURNAMES) + "伟",
                    address=f"柳州市柳东新区车园大道{rng.randint(1, 688)}号",
                    town=towns[i % len(towns)].name if i % 3 else towns[i % len(towns)].code,
                    industry=f"{section} {importing.INDUSTRY_NAMES_ZH[section]}",
                    ownership=OWNERSHIPS[i % len(OWNERSHIPS)],
                    established_on=dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(8000)),
                    status="在营",
                    employees=rng.randint(20, 3000),
                    contact_name=rng.choice(SURNAMES) + "娜",
                    contact_phone=f"0772-{rng.randrange(10**7):07d}",
                    contact_email=f"hr{i}@example.cn",
                )
            # The registered enterprises with last year's survey (even i) get it replaced.
            if (i < len(registered) and i % 2 == 0) or rng.random() < survey_share:
                with_survey += 1
                employees = rng.randint(20, 3000)
                values.update(
                    survey_year=year,
                    survey_employees=employees,
                    union_members=rng.randint(0, employees),
                    women=rng.randint(0, employees),
                    migrant_workers=rng.randint(0, employees),
                    has_union=rng.choice(("是", "否")),
                    contract_signing_rate=rng.randint(60, 100),
                    collective_contract=rng.choice(("是", "否")),
                    wage_bargaining=rng.choice(("是", "否")),
                    workers_congress=rng.choice(("是", "否")),
                    mediation_committee=rng.choice(("是", "否")),
                )
            sheet.append([values.get(c.key) for c in importing.COLUMNS])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), with_survey

    # Running ------------------------------------------------------------------------------------

    def _phase(self, label: str, n: int, run, unit: str = "rows"):
        rss = _rss_mb()
        with _counting_queries() as queries:
            began = time.perf_counter()
            value = run()
            seconds = time.perf_counter() - began
        extra = f", {value / 1e6:.1f} MB" if isinstance(value, int) else ""
        self.stdout.write(
            f"{label}: {n:,} {unit} in {seconds:.2f} s ({n / seconds:,.0f} rows/s), {queries['n']:,} queries"
            f"{extra}; RSS {rss:.0f} → {_rss_mb():.0f} MB, peak RSS {_peak_mb():.0f} MB"
        )
        return value

    def _confirm(self, principal, batch, profile) -> dict:
        """The confirmation, and the checks PostgreSQL would run at its commit: Django's foreign
        keys are deferred, and this run never commits, so they are run here and counted."""
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            try:
                result = profiler.runcall(importing.confirm_import, principal, batch)
            finally:
                profiler.dump_stats(profile)
        elif self.row_by_row:
            with mock.patch.object(services, "register_in_bulk", services._register_row_by_row):
                result = importing.confirm_import(principal, batch)
        else:
            result = importing.confirm_import(principal, batch)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return result

    def _export_xlsx(self, queryset) -> int:
        """What the .xlsx button sends (written to a temporary file, then streamed): its size."""
        response = exports.xlsx_response("enterprises.xlsx", [importing.export_sheet(queryset)])
        try:
            return sum(len(chunk) for chunk in response.streaming_content)
        finally:
            # Not response.close(): that sends request_finished, which closes the connection.
            response.file_to_stream.close()

    def _export_csv(self, queryset) -> int:
        """What the CSV button streams: its size."""
        response = exports.csv_response("enterprises.csv", importing.HEADERS, importing.export_rows(queryset))
        return sum(len(chunk) for chunk in response.streaming_content)
