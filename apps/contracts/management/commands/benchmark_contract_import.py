"""Benchmark of the contract import (not a test): `manage.py benchmark_contract_import --rows 100000`.

Generates N valid filing rows (a mix of contract types and working-hour systems, paper and
e-signed rows with platform record ids; `--zip` adds a small signed PDF per e-signed row in a zip
with its manifest), writes them to a temporary file, and imports it through the same code path as
an upload: `services.start_import` (the file check and storage) then `services.run_import` run
synchronously (the Celery task's body: parsing, chunks of `--batch` rows into `file_batch`,
progress saved after each chunk). Then it imports the same file again: every row is already filed.

Each import reports its rows per second, its queries (every statement, COPY included) per chunk,
and the process's memory: the resident set before and after, and its peak during the import (the
peak is reset before each import where Linux allows it, `/proc/self/clear_refs`). `--steps` also
times the steps of `file_batch` (parsing, look-ups, checking and planning, inserts, audit) and the
rest of the job (reading the file, commits, progress).

If the registry has fewer than `--enterprises` enterprises, the missing ones are created (in bulk,
as the demo does). Unless `--keep`, everything the run created is deleted afterwards, in bulk
(DELETE ... WHERE, never loading the rows): contracts, their history and e-signatures, workers,
import jobs and their files, enterprises, the benchmark user. The audit trail keeps its events (it
is append-only): run it on a scratch database, freshly migrated (a table emptied and vacuumed looks
empty to PostgreSQL's planner, which then checks the foreign keys of a big first import by
sequential scans; see docs/performance.md).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import os
import random
import resource
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from stdnum.cn import uscc as uscc_mod

from apps.accounts.models import Organisation, User
from apps.contracts import importing, services
from apps.contracts.models import (
    ContractHistory,
    ContractPolicy,
    ESignature,
    ImportJob,
    LabourContract,
    Worker,
)
from apps.contracts.services import filing
from apps.contracts.services import imports as import_jobs
from apps.core.context import acting_as
from apps.core.models import Area
from apps.core.personal_data import lookup_hash, with_check_character
from apps.core.principal import principal_for_user
from apps.enterprises.models import Enterprise

KINDS = (("fixed_term", 70), ("open_ended", 15), ("task", 10), ("part_time", 5))
JOBS = ("装配工", "焊工", "质检员", "叉车司机", "仓管员", "电工", "操作工", "文员", "销售代表", "厨师")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Generated values (the demo park's generators live in the shell, apps/demo, above this module).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙莫陆"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志海燕红梅晓东春花文斌丹永健"
STEMS = ("华达", "联创", "恒通", "宏远", "鑫源", "金桥", "瑞丰", "东盛", "永安", "博信", "桂龙", "柳新")
TRADES = (("C", "汽车零部件制造"), ("C", "机械制造"), ("C", "电子科技"), ("G", "物流"), ("F", "商贸"))


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(str(rng.randint(0, 9)) for _ in range(9))


def make_uscc(rng: random.Random) -> str:
    """A valid unified social credit code: 91 (an enterprise), a Liuzhou region, an organisation
    code with its GB 11714 check character, and the GB 32100 check character."""
    body = [rng.randint(0, 9) for _ in range(8)]
    c = 11 - sum(d * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    first17 = "91450271" + "".join(map(str, body)) + ("X" if c == 10 else "0" if c == 11 else str(c))
    return uscc_mod.validate(first17 + uscc_mod.calc_check_digit(first17))


def enterprise_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """n distinct (name, industry section letter) pairs."""
    seen, out = set(), []
    while len(out) < n:
        section, trade = rng.choice(TRADES)
        name = f"柳州{rng.choice(STEMS)}{rng.choice(STEMS)}{trade}有限公司"
        if name not in seen:
            seen.add(name)
            out.append((name, section))
    return out


def _rss_mb() -> float:
    """The process's resident set now."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:  # pragma: no cover - not Linux
        return 0.0


def _reset_peak() -> bool:
    """Reset the process's peak resident set (Linux: VmHWM), so the next peak is the phase's."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:  # pragma: no cover - not Linux, or not allowed
        return False


def _peak_mb() -> float:
    """The peak resident set since the last reset (else since the process started)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def _backend_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend serving this connection has used (a server on this
    machine, Linux), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@contextlib.contextmanager
def _counting_queries():
    """Every statement sent (the COPY of the inserts runs through the execute wrappers too)."""
    counter = Counter()

    def count(execute, sql, params, many, context):
        counter[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


#: The steps `--steps` times: (module, function, label).
STEPS = (
    (filing, "_parse_rows", "parsing the rows (format, ID numbers)"),
    (filing, "_read_known", "look-ups (enterprises, workers, records, priors, policy)"),
    (filing, "_insert", "inserts (workers, contracts, history, e-signatures)"),
    (filing, "_audit", "audit events (audit.record_many)"),
    (filing, "_renew", "renewals through the workflow"),
    (import_jobs, "file_batch", "file_batch"),
)


@contextlib.contextmanager
def _timing_steps():
    """Seconds spent in each step of file_batch (the functions wrapped for the run, then put back)."""
    seconds: Counter = Counter()
    saved = []
    for module, name, label in STEPS:
        real = getattr(module, name)

        def timed(*args, _real=real, _label=label, **kwargs):
            began = time.perf_counter()
            try:
                return _real(*args, **kwargs)
            finally:
                seconds[_label] += time.perf_counter() - began

        saved.append((module, name, real))
        setattr(module, name, timed)
    try:
        yield seconds
    finally:
        for module, name, real in saved:
            setattr(module, name, real)


class Command(BaseCommand):
    help = "Import N generated contract rows twice and print rows per second (not a test)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument(
            "--batch", type=int, default=importing.CHUNK_SIZE, help="Rows per file_batch call."
        )
        parser.add_argument("--enterprises", type=int, default=300, help="Enterprises the rows spread over.")
        parser.add_argument("--e-share", type=float, default=0.4, help="Share of e-signed rows (0 to 1).")
        parser.add_argument("--zip", action="store_true", help="A zip with a small PDF per e-signed row.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed (default: a new one).")
        parser.add_argument("--keep", action="store_true", help="Keep what the run created.")
        parser.add_argument(
            "--profile",
            metavar="FILE",
            help="Write cProfile stats of the first import to FILE, of the re-import to FILE.again.",
        )
        parser.add_argument("--steps", action="store_true", help="Time the steps of file_batch.")
        parser.add_argument(
            "--analyze",
            action="store_true",
            help="ANALYZE the contract tables between the imports, as autovacuum would after the first.",
        )

    def handle(
        self, *args, rows, batch, enterprises, e_share, zip, seed, keep, profile, steps, analyze, **options
    ):
        if rows < 1 or batch < 1:
            raise CommandError("--rows and --batch must be positive.")
        if rows > importing.MAX_ROWS:
            raise CommandError(f"At most {importing.MAX_ROWS} rows.")
        seed = seed if seed is not None else random.SystemRandom().randrange(10**9)
        rng = random.Random(seed)
        importing.CHUNK_SIZE = batch
        created: dict[str, list] = {"enterprises": [], "organisations": [], "towns": []}
        user = User.objects.create(
            username=f"benchmark-import-{seed}", full_name="导入基准测试", is_superuser=True, is_active=True
        )
        user.set_unusable_password()
        user.save()
        try:
            with acting_as("command:benchmark_contract_import"):
                with transaction.atomic():
                    self._policy()
                    companies = self._enterprises(rng, enterprises, created)
                with tempfile.TemporaryDirectory() as folder:
                    path, numbers = self._write_file(Path(folder), rng, seed, rows, companies, e_share, zip)
                    self.stdout.write(
                        f"{rows:,} rows over {len(companies)} enterprises, {e_share:.0%} e-signed, "
                        f"{'zip with PDFs' if zip else 'CSV without files'} ({path.stat().st_size / 1e6:.1f} MB), "
                        f"chunks of {batch}, seed {seed}"
                    )
                    first = self._import(user, path, "first import", profile, steps)
                    if analyze:
                        self._analyze()
                    again = self._import(user, path, "re-import", profile and f"{profile}.again", steps)
            if again.unchanged_count != first.created_count + first.unchanged_count:
                self.stdout.write(self.style.WARNING("The re-import did not find every row already filed."))
        finally:
            if keep:
                self.stdout.write(f"Kept: benchmark user {user.username} and what it filed.")
            else:
                self._clean(user, created, locals().get("numbers"))

    # Setting up -----------------------------------------------------------------------------------

    def _policy(self):
        if not ContractPolicy.objects.exists():
            ContractPolicy.objects.create(
                effective_from=dt.date(2022, 4, 1), monthly_minimum_wage=1990, hourly_minimum_wage="20.1"
            )

    def _enterprises(self, rng, wanted: int, created) -> list[Enterprise]:
        existing = list(Enterprise.objects.order_by("uscc")[:wanted])
        missing = wanted - len(existing)
        if missing <= 0:
            return existing
        town = Area.objects.filter(kind=Area.Kind.TOWN).order_by("code").first()
        if town is None:
            town = Area.objects.create(
                name="基准测试镇", code=f"45029{rng.randrange(10**7):07d}", kind=Area.Kind.TOWN
            )
            created["towns"].append(town.pk)
        taken = set(Enterprise.objects.values_list("uscc", flat=True)) | set(
            Organisation.objects.exclude(code="").values_list("code", flat=True)
        )
        taken_names = set(Organisation.objects.values_list("name", flat=True))
        orgs, companies = [], []
        for name, section in enterprise_names(rng, missing * 2):
            if len(orgs) == missing:
                break
            name = f"{name[:-4]}（基准{len(orgs) + 1}）{name[-4:]}"
            if name in taken_names:
                continue
            uscc = make_uscc(rng)
            while uscc in taken:
                uscc = make_uscc(rng)
            taken.add(uscc)
            org = Organisation(name=name, kind=Organisation.Kind.ENTERPRISE, code=uscc, area=town)
            orgs.append(org)
            companies.append(
                Enterprise(
                    organisation=org,
                    uscc=uscc,
                    name=name,
                    town=town,
                    industry=section,
                    ownership="private",
                    employees=rng.randint(50, 3000),
                    status="operating",
                )
            )
        Organisation.objects.bulk_create(orgs, batch_size=500)
        Enterprise.objects.bulk_create(companies, batch_size=500)
        created["organisations"] = [o.pk for o in orgs]
        created["enterprises"] = [e.pk for e in companies]
        self.stdout.write(f"Created {len(companies)} enterprises for the benchmark.")
        return existing + companies

    def _write_file(self, folder: Path, rng, seed, n, companies, e_share, as_zip):
        """The file (a CSV, or a zip of it, its PDFs and the manifest), written as the rows are
        made (nothing kept in memory), and a function giving its ID numbers again (the clean-up)."""
        today = dt.date.today()
        region = rng.choice(("450202", "450203", "450204", "450205", "450206", "450211", "450221"))
        first_birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(3000))

        def number_of(i: int) -> str:
            born = first_birth + dt.timedelta(days=i // 900)
            return with_check_character(f"{region}{born:%Y%m%d}{100 + i % 900:03d}")

        def numbers():
            return (number_of(i) for i in range(n))

        csv_path = folder / "export.csv"
        zip_path = folder / "export.zip"
        with contextlib.ExitStack() as stack:
            fh = stack.enter_context(open(csv_path, "w", newline="", encoding="utf-8"))
            archive = (
                stack.enter_context(zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED)) if as_zip else None
            )
            manifest = (
                stack.enter_context(open(folder / "manifest.csv", "w", encoding="utf-8")) if as_zip else None
            )
            if manifest:
                manifest.write("file_name,sha256\n")
            writer = csv.DictWriter(fh, fieldnames=importing.COLUMNS)
            writer.writeheader()
            for i in range(n):
                number = number_of(i)
                company = companies[i % len(companies)]
                kind = rng.choices([k for k, _w in KINDS], weights=[w for _k, w in KINDS])[0]
                start = today - dt.timedelta(days=rng.randrange(30, 1500))
                row = {
                    "enterprise_uscc": company.uscc,
                    "worker_name": person_name(rng),
                    "worker_id_number": number,
                    "worker_phone": phone(rng),
                    "contract_number": f"BM{seed}-{i:07d}",
                    "kind": kind,
                    "employment_start": start.isoformat(),
                    "start": start.isoformat(),
                    "job": rng.choice(JOBS),
                    "workplace": f"柳州市柳东新区{rng.choice(('车园', '新安', '凤凰', '官塘'))}路{rng.randint(1, 688)}号",
                    "signed_on": (start - dt.timedelta(days=rng.randrange(0, 5))).isoformat(),
                    "social_insurance": rng.choice(("是", "yes", "1")),
                }
                if kind == "fixed_term":
                    years = rng.choice((1, 2, 3, 3, 5))
                    row["end"] = (start + relativedelta(years=years) - dt.timedelta(days=1)).isoformat()
                    row["probation_end"] = (start + dt.timedelta(days=(29 if years < 3 else 89))).isoformat()
                elif kind == "open_ended":
                    row["probation_end"] = (start + dt.timedelta(days=89)).isoformat()
                elif kind == "task":
                    row["task"] = f"{rng.choice(JOBS)}项目第{rng.randint(1, 40)}期"
                if kind == "part_time":
                    row["hourly_pay"] = str(rng.choice((22, 25, 30)))
                    row["weekly_hours"] = str(rng.choice((12, 16, 20, 24)))
                else:
                    row["monthly_pay"] = str(rng.randrange(2200, 12000, 100))
                    if rng.random() < 0.1:
                        row["hours_system"] = "comprehensive"
                        row["hours_approval"] = f"柳人社综〔2025〕{rng.randint(1, 300)}号"
                if rng.random() < e_share:
                    signed = dt.datetime.combine(dt.date.fromisoformat(row["signed_on"]), dt.time(9, 30))
                    data = PDF + f"% {seed} {i}\n".encode()
                    row.update(
                        signing="e_signature",
                        platform="乐签",
                        record_id=f"BM{seed}-{i:07d}",
                        employer_signed_at=f"{signed.isoformat()}+08:00",
                        worker_signed_at=f"{(signed + dt.timedelta(minutes=7)).isoformat()}+08:00",
                        timestamp_authority="国家授时中心",
                        timestamp_token=hashlib.sha256(data + b"tsa").hexdigest(),
                        file_sha256=hashlib.sha256(data).hexdigest(),
                        file_name=f"{i:07d}.pdf",
                    )
                    if archive:
                        archive.writestr(row["file_name"], data)
                        manifest.write(f"{row['file_name']},{row['file_sha256']}\n")
                else:
                    row["signing"] = "paper"
                writer.writerow(row)
            if not archive:
                return csv_path, numbers
            fh.close()
            manifest.close()
            archive.write(csv_path, "export.csv")
            archive.write(folder / "manifest.csv", "manifest.csv")
        return zip_path, numbers

    # Running ------------------------------------------------------------------------------------

    def _import(self, user, path: Path, label: str, profile, steps) -> ImportJob:
        principal = principal_for_user(user)
        rss = _rss_mb()
        peak_reset = _reset_peak()
        cpu, backend = time.process_time(), _backend_cpu()
        began = time.perf_counter()
        with open(path, "rb") as fh:
            job = services.start_import(principal, File(fh, name=path.name), queue=False)
        stored = time.perf_counter()
        with _counting_queries() as queries, _timing_steps() if steps else contextlib.nullcontext() as timed:
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.runcall(services.run_import, job.pk)
                profiler.dump_stats(profile)
            else:
                services.run_import(job.pk)
        seconds = time.perf_counter() - began
        cpu, backend = time.process_time() - cpu, (_backend_cpu() or 0.0) - (backend or 0.0)
        job.refresh_from_db()
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"The {label} failed: {job.error}")
        chunks = max(1, -(-job.processed_rows // importing.CHUNK_SIZE))
        statements = sum(queries.values())
        self.stdout.write(
            f"{label}: {job.processed_rows:,} rows in {seconds:.1f} s "
            f"({job.processed_rows / seconds:,.0f} rows/s; check and store {stored - began:.1f} s) — "
            f"created {job.created_count:,}, unchanged {job.unchanged_count:,}, rows with errors {job.error_count:,}"
        )
        self.stdout.write(
            f"  {statements:,} queries ({statements / chunks:.1f} per chunk of {importing.CHUNK_SIZE:,}"
            f"{'; ' + str(queries['COPY']) + ' COPY' if queries['COPY'] else ''}); "
            f"RSS {rss:.0f} → {_rss_mb():.0f} MB, peak {_peak_mb():.0f} MB"
            f"{'' if peak_reset else ' (peak of the process so far)'}"
        )
        self.stdout.write(
            f"  CPU: this process {cpu:.1f} s"
            + (f", the PostgreSQL backend {backend:.1f} s" if backend else "")
            + f" (of {seconds:.1f} s)"
        )
        if timed:
            inside = timed.pop("file_batch", 0.0)
            parts = dict(timed)
            parts["checking and planning the rows"] = inside - sum(parts.values())
            parts["the rest of the job (reading the file, commits, progress)"] = seconds - inside
            for part, spent in sorted(parts.items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"    {spent:6.2f} s {spent / seconds:4.0%}  {part}")
        if job.report:
            self.stdout.write(f"  first report entries: {job.report[:3]}")
        return job

    def _analyze(self) -> None:
        """Fresh planner statistics for the tables the first import filled (autovacuum's ANALYZE
        after a large insert; on a server without autovacuum the tables keep none)."""
        if connection.vendor != "postgresql":
            return
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (Worker, LabourContract, ContractHistory, ESignature):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.stdout.write(f"ANALYZE of the contract tables: {time.perf_counter() - began:.1f} s")

    def _clean(self, user, created, numbers) -> None:
        """Delete what the run made, in bulk: DELETE ... WHERE, never loading the rows."""
        with transaction.atomic():
            jobs = list(ImportJob.objects.filter(created_by=user))
            for job in jobs:
                job.file.delete(save=False)
            ImportJob.objects.filter(pk__in=[j.pk for j in jobs]).delete()
            contracts = LabourContract.objects.filter(filed_by=user)
            for name in (
                ESignature.objects.filter(contract__filed_by=user)
                .exclude(file="")
                .values_list("file", flat=True)
                .iterator()
            ):
                default_storage.delete(name)
            deleted = 0
            for queryset in (
                ContractHistory.objects.filter(subject__filed_by=user),
                ESignature.objects.filter(contract__filed_by=user),
                contracts,
            ):
                deleted += queryset._raw_delete(queryset.db)
            workers = 0
            batch: list[str] = []
            for number in numbers() if numbers else ():
                batch.append(lookup_hash(number))
                if len(batch) == 5000:
                    workers += self._delete_workers(batch)
                    batch = []
            workers += self._delete_workers(batch)
            Enterprise.objects.filter(pk__in=created["enterprises"]).delete()
            Organisation.objects.filter(pk__in=created["organisations"]).delete()
            Area.objects.filter(pk__in=created["towns"]).delete()
            user.delete()
        self.stdout.write(
            f"Cleaned up: {deleted:,} rows of contracts and their records, {workers:,} workers, "
            f"{len(created['enterprises'])} enterprises (the audit trail keeps its events)."
        )

    @staticmethod
    def _delete_workers(hashes: list[str]) -> int:
        """The run's workers without a contract left."""
        if not hashes:
            return 0
        queryset = Worker.objects.filter(id_number_hash__in=hashes, contracts__isnull=True)
        return queryset._raw_delete(queryset.db)
