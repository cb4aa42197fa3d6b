"""The project's benchmark (`manage.py benchmark`): serve the project with gunicorn under
production-like settings on the database in DATABASE_URL (normally the district-scale data set of
`seed_scale`) and measure, for a matrix of URLs × roles, the latency at concurrency 1 and 4 and
the number of queries (the `X-Query-Count` header of `config.settings.benchmark`).

Two baselines run under the same gunicorn settings: Django's admin changelist of the labour
contracts (the project's own admin) and a "hello" view of a default Django project (`startproject`
with its default middleware and a session login), so the figures read as ratios to what Django
itself costs on this machine.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count
from django.urls import resolve, reverse
from django.utils import timezone

from apps.accounts.models import ApiClient, Membership, User
from apps.accounts.services import create_api_client
from apps.certification.models import Application, Certificate
from apps.contracts.models import LabourContract
from apps.contracts.views import LIBRARY_ORDER
from apps.core.pagination import KeysetPaginator
from apps.core.principal import Role
from apps.enterprises.models import Enterprise
from apps.mediation.models import Case

ROLES = ("park_admin", "hr", "mediator", "union", "api")


@dataclass
class Target:
    """One URL measured as one role, with the targets it must meet."""

    group: str  # "list", "home", "figures", "dossier", "export", "detail", "baseline"
    name: str
    role: str
    path: str
    #: p95 at concurrency 1, in milliseconds (None: report only).
    p95_target_ms: float | None = None
    max_queries: int | None = 12
    requests: int | None = None  # overrides the run's default


@dataclass
class Result:
    target: Target
    status: int
    queries: int | None
    c1: list[float] = field(default_factory=list)
    c4: list[float] = field(default_factory=list)
    c4_wall: float = 0.0
    bytes: int = 0

    @staticmethod
    def pct(values, q):
        if not values:
            return None
        ordered = sorted(values)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def p50_c1(self):
        return statistics.median(self.c1) if self.c1 else None

    @property
    def p95_c1(self):
        return self.pct(self.c1, 95)

    @property
    def p50_c4(self):
        return statistics.median(self.c4) if self.c4 else None

    @property
    def p95_c4(self):
        return self.pct(self.c4, 95)

    @property
    def rps_c4(self):
        return len(self.c4) / self.c4_wall if self.c4_wall else None

    @property
    def met(self) -> bool:
        t = self.target
        ok = self.status == 200
        if t.p95_target_ms is not None and self.p95_c1 is not None:
            ok = ok and self.p95_c1 <= t.p95_target_ms
        if t.max_queries is not None and self.queries is not None:
            ok = ok and self.queries <= t.max_queries
        return ok


# --- The principals --------------------------------------------------------------------------------


def _session_cookie(user) -> str:
    """A logged-in session for `user`, as the login view would leave it (no HTTP login needed)."""
    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(4 * 60 * 60)
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def principals(stdout) -> tuple[dict[str, dict], dict]:
    """Headers per role, and the objects the matrix needs (the largest enterprise...). Creates
    what a benchmark needs and the data set lacks: a superuser for the admin baseline, an HR user
    of the largest enterprise, an API client with every read scope. All named `bench-*`."""

    def member(role, **extra):
        m = (
            Membership.objects.filter(role=role, user__is_active=True, **extra)
            .select_related("user", "organisation")
            .order_by("user__username")
            .first()
        )
        return m.user if m else None

    largest_id = (
        LabourContract.objects.values("enterprise_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("enterprise_id", flat=True)
        .first()
    )
    largest = (
        Enterprise.objects.get(pk=largest_id) if largest_id else Enterprise.objects.order_by("name").first()
    )
    admin = member(Role.PARK_ADMIN)
    hr = member(Role.ENTERPRISE_HR, organisation=largest.organisation)
    if hr is None:
        hr, _ = User.objects.get_or_create(username="bench-hr", defaults={"full_name": "Benchmark HR"})
        Membership.objects.get_or_create(user=hr, organisation=largest.organisation, role=Role.ENTERPRISE_HR)
    mediator = member(Role.MEDIATOR)
    union = member(Role.UNION_OFFICIAL)
    superuser, created = User.objects.get_or_create(
        username="bench-superuser", defaults={"is_superuser": True, "is_staff": True}
    )
    ApiClient.objects.filter(name="bench-api").delete()
    scopes = ["organisations:read", "enterprises:read", "unions:read", "certification:read"]
    scopes += ["mediation:read", "contracts:read", "statistics:read"]
    _client, key = create_api_client(name="bench-api", scopes=scopes)
    headers = {
        "park_admin": {"Cookie": _session_cookie(admin)},
        "hr": {"Cookie": _session_cookie(hr)},
        "mediator": {"Cookie": _session_cookie(mediator)} if mediator else None,
        "union": {"Cookie": _session_cookie(union)} if union else None,
        "api": {"Authorization": f"Bearer {key}", "Accept": "application/json"},
        "superuser": {"Cookie": _session_cookie(superuser)},
    }
    stdout.write(
        f"principals: admin={admin}, hr={hr} (of {largest.name}), mediator={mediator}, union={union}\n"
    )
    return headers, {"largest": largest}


# --- The matrix ---------------------------------------------------------------------------------------


def matrix(objects: dict) -> list[Target]:
    """Every list page and API list (plain, filtered, searched, deep), each role's home, the figures
    pages, the dossier and book of the largest enterprise, and the exports."""

    largest = objects["largest"]
    some_contract = LabourContract.objects.filter(enterprise=largest).order_by("pk").first()
    some_case = Case.objects.order_by("pk").first()
    n_contracts, n_cases = LabourContract.objects.count(), Case.objects.count()
    n_enterprises, n_applications = Enterprise.objects.count(), Application.objects.count()
    n_certificates = Certificate.objects.count()
    # The application with the most history (a certified one: scores, group, history, certificate).
    some_application = Application.objects.filter(status="certified").order_by("pk").first()

    def deep(count, size):
        """A page near the end of a list of `count` rows shown `size` a page."""
        return f"?page={max(1, int(count / size * 0.9))}"

    def deep_cursor(queryset, ordering, param):
        """The keyset position of the row 90 % down the list (`?after=` on pages, `?cursor=` in the
        API): a deep page reached as a user or a sync would reach it, by following "next"."""
        rows = queryset.order_by(*ordering)
        count = rows.count()
        if not count:
            return ""
        row = rows[max(0, int(count * 0.9))]
        return f"?{param}=" + KeysetPaginator(rows, list(ordering), 1).encode(row)

    def api_deep(path, count, size=50):
        """The API list's deep page: by cursor where the list has one, else by page number."""
        view = resolve(path).func
        ordering = getattr(getattr(view, "cls", None), "keyset_ordering", None)
        if ordering:
            return deep_cursor(view.cls.model.objects.all(), ordering, "cursor")
        return deep(count, size)

    page, api = 100.0, 100.0
    t: list[Target] = []
    for role in ("park_admin", "hr", "mediator", "union"):
        t.append(Target("home", "home", role, reverse("dashboard:home"), 300))
    lists = [
        (
            "enterprises",
            reverse("enterprises:list"),
            ["?search=柳州", "?industry=C", deep(n_enterprises, 50)],
        ),
        ("unions", reverse("unions:list"), []),
        ("collective contracts", reverse("unions:contract_list"), []),
        (
            "certification",
            reverse("certification:list"),
            [
                "?status=certified",
                "?search=柳州",
                "?status=in_notice&has_open_objection=true",
                deep(n_applications, 50),
            ],
        ),
        ("certification notices", reverse("certification:notice_list"), []),
        (
            "mediation",
            reverse("mediation:list"),
            [
                "?status=archived",
                "?search=TJ2024",
                "?search=创新机械",
                "?overdue=true",
                deep_cursor(Case.objects.all(), Case.LIST_ORDER, "after"),
                (
                    deep_cursor(Case.objects.filter(status=Case.Status.ARCHIVED), Case.LIST_ORDER, "after")
                    or "?"
                )
                + "&status=archived",
            ],
        ),
        (
            "contracts",
            reverse("contracts:list"),
            [
                "?status=in_force",
                "?name=张",
                deep_cursor(LabourContract.objects.all(), LIBRARY_ORDER, "after"),
            ],
        ),
        ("contract imports", reverse("contracts:import_list"), []),
    ]
    for name, path, variants in lists:
        t.append(Target("list", name, "park_admin", path, page))
        t.extend(Target("list", f"{name} {v}", "park_admin", path + v, page) for v in variants)
    t += [
        Target("list", "contracts (own)", "hr", reverse("contracts:list"), page),
        Target(
            "list",
            "contracts (own), deep",
            "hr",
            reverse("contracts:list")
            + deep_cursor(LabourContract.objects.filter(enterprise=largest), LIBRARY_ORDER, "after"),
            page,
        ),
        Target("list", "certification (own)", "hr", reverse("certification:list"), page),
        Target("list", "mediation (own)", "mediator", reverse("mediation:list"), page),
        Target("list", "mediation ?mine=true", "mediator", reverse("mediation:list") + "?mine=true", page),
        Target("list", "enterprises", "union", reverse("enterprises:list"), page),
        Target("list", "unions", "union", reverse("unions:list"), page),
        Target("list", "enterprises", "hr", reverse("enterprises:list"), page),
    ]
    apis = [
        (
            "api enterprises",
            "/api/v1/enterprises/",
            ["?search=柳州", api_deep("/api/v1/enterprises/", n_enterprises)],
        ),
        ("api unions", "/api/v1/unions/", []),
        (
            "api certification",
            "/api/v1/certification/applications/",
            [
                "?status=certified",
                "?search=柳州",
                f"?page={max(1, int(n_applications / 50 * 0.9))}",
                api_deep("/api/v1/certification/applications/", n_applications),
            ],
        ),
        (
            "api certification certificates",
            "/api/v1/certification/certificates/",
            [
                f"?page={max(1, int(n_certificates / 50 * 0.9))}",
                api_deep("/api/v1/certification/certificates/", n_certificates),
            ],
        ),
        (
            "api mediation",
            "/api/v1/mediation/cases/",
            [
                "?status=archived",
                "?status=received&status=in_mediation",
                "?search=TJ2024",
                api_deep("/api/v1/mediation/cases/", n_cases),
                (
                    deep_cursor(Case.objects.filter(status=Case.Status.ARCHIVED), Case.LIST_ORDER, "cursor")
                    or "?"
                )
                + "&status=archived",
            ],
        ),
        (
            "api contracts",
            "/api/v1/contracts/",
            [
                "?status=in_force",
                f"?page={min(400, max(1, n_contracts // 50))}",
                api_deep("/api/v1/contracts/", n_contracts),
            ],
        ),
    ]
    for name, path, variants in apis:
        t.append(Target("list", name, "api", path, api))
        t.extend(Target("list", f"{name} {v}", "api", path + v, api) for v in variants)
    figures = [
        ("unions figures", reverse("unions:figures")),
        ("certification figures", reverse("certification:figures")),
        ("mediation figures", reverse("mediation:figures")),
        # The park's cockpit (issue 20): every module's figures, trends and breakdowns.
        ("cockpit", reverse("cockpit:index")),
        ("cockpit ?town", reverse("cockpit:index") + f"?town={largest.town.code}"),
    ]
    t += [Target("figures", n, "park_admin", p, 300) for n, p in figures]
    t.append(Target("figures", "statistics", "api", "/api/v1/statistics/?breakdown=town", 300))
    dossier = reverse("enterprises:detail", args=[largest.pk])
    t += [
        Target("dossier", "dossier of the largest enterprise", "park_admin", dossier, 300),
        Target("dossier", "dossier of the largest enterprise", "hr", dossier, 300),
        Target(
            "dossier",
            "book: expiring in 30 days",
            "hr",
            reverse("contracts:book_list", args=[largest.pk, "expiring_30"]),
            page,
        ),
        Target(
            "dossier", "api contract book", "api", f"/api/v1/enterprises/{largest.pk}/contract-book/", 300
        ),
    ]
    if some_contract:
        t.append(
            Target(
                "detail", "contract", "park_admin", reverse("contracts:detail", args=[some_contract.pk]), 100
            )
        )
    if some_application:
        t.append(
            Target(
                "detail",
                "certification application",
                "park_admin",
                reverse("certification:detail", args=[some_application.pk]),
                100,
            )
        )
    if some_case:
        t.append(
            Target(
                "detail",
                "mediation case",
                "park_admin",
                reverse("mediation:detail", args=[some_case.pk]),
                100,
            )
        )
    t += [
        Target(
            "export",
            "registry .xlsx (all)",
            "park_admin",
            reverse("enterprises:export_xlsx"),
            10_000,
            None,
            2,
        ),
        Target(
            "export", "registry .csv (all)", "park_admin", reverse("enterprises:export_csv"), 10_000, None, 2
        ),
        Target(
            "export",
            "largest book .xlsx",
            "hr",
            reverse("contracts:book_xlsx", args=[largest.pk]),
            5_000,
            None,
            2,
        ),
    ]
    t.append(
        Target(
            "baseline",
            "Django admin changelist of the contracts",
            "superuser",
            "/admin/contracts/labourcontract/",
            None,
            None,
        )
    )
    return t


# --- Serving ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with `workers` sync workers on a free loopback port, stopped on exit."""

    def __init__(self, wsgi: str, *, cwd: Path, env: dict, workers: int = 2, log: Path | None = None):
        self.port = free_port()
        self.cwd, self.env, self.workers, self.wsgi = cwd, env, workers, wsgi
        self.log = log
        self.proc = None

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603
            [str(gunicorn), self.wsgi, "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
            + ["--timeout", "120", "--graceful-timeout", "5"],
            cwd=self.cwd,
            env=self.env,
            stdout=out,
            stderr=out,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _, _ = request(self.port, "/healthz", {})
                if status:
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start (see {self.log})")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def request(port: int, path: str, headers: dict) -> tuple[int, int | None, float, int]:
    """(status, query count, seconds, bytes) of one GET on a fresh connection."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", quote(path, safe="/?=&:%-_.~"), headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        body = response.read()
        queries = response.getheader("X-Query-Count")
        return response.status, int(queries) if queries else None, time.perf_counter() - start, len(body)
    finally:
        conn.close()


def run_target(port: int, target: Target, headers: dict, n: int, warmup: int = 2) -> Result:
    status = queries = size = None
    for _ in range(warmup):
        status, queries, _, size = request(port, target.path, headers)
    result = Result(target, status or 0, queries, bytes=size or 0)
    if status != 200:
        return result
    # Two at once, so that every gunicorn worker (there are 2) has served the page once (its
    # templates compiled, its imports done): the figures are the steady state, not a worker's first.
    concurrent(port, target.path, headers, 2, 4)
    n = target.requests or n
    result.c1 = [request(port, target.path, headers)[2] * 1000 for _ in range(n)]
    result.c4, result.c4_wall = concurrent(port, target.path, headers, 4, max(4, n))
    return result


def concurrent(port: int, path: str, headers: dict, concurrency: int, n: int) -> tuple[list[float], float]:
    times: list[float] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def worker():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            elapsed = request(port, path, headers)[2] * 1000
            with lock:
                times.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, time.perf_counter() - start


# --- The default-project baseline --------------------------------------------------------------------

HELLO_VIEWS = textwrap.dedent(
    """
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse


    @login_required
    def hello(request):
        return HttpResponse("hello " + request.user.get_username())
    """
)


def hello_project(workdir: Path, env: dict) -> tuple[Path, str]:
    """`django-admin startproject hello` with a login-protected hello view, migrated on SQLite,
    and a session cookie of its user."""
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run([str(django_admin), "startproject", "hello", str(workdir)], check=True, env=env)  # noqa: S603
    (workdir / "hello" / "views.py").write_text(HELLO_VIEWS)
    urls = (workdir / "hello" / "urls.py").read_text()
    urls = urls.replace("from django.urls import path", "from django.urls import path\n\nfrom . import views")
    urls = urls.replace("urlpatterns = [", 'urlpatterns = [\n    path("hello/", views.hello),')
    (workdir / "hello" / "urls.py").write_text(urls)
    settings_py = workdir / "hello" / "settings.py"
    settings_py.write_text(
        settings_py.read_text().replace("DEBUG = True", "DEBUG = False") + '\nALLOWED_HOSTS = ["127.0.0.1"]\n'
    )
    hello_env = {**env, "DJANGO_SETTINGS_MODULE": "hello.settings", "PYTHONPATH": str(workdir)}
    manage = [sys.executable, str(workdir / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], check=True, env=hello_env, cwd=workdir)  # noqa: S603
    script = (
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "u = get_user_model().objects.create_user('bench', password='x');"
        "s = SessionStore(); s[SESSION_KEY] = str(u.pk);"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend';"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.save(); print(s.session_key)"
    )
    out = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", script],
        check=True,
        env=hello_env,
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    return workdir, f"sessionid={out.stdout.strip().splitlines()[-1]}"


# --- Report -------------------------------------------------------------------------------------------


def _ms(value) -> str:
    return "—" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.1f}")


def machine() -> str:
    import django

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0] if connection.vendor == "postgresql" else connection.vendor
    cpus = os.cpu_count()
    model = ""
    with contextlib.suppress(OSError, StopIteration):
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return (
        f"{timezone.localdate():%Y-%m-%d}, {cpus} cores ({model or platform.machine()}), "
        f"Python {platform.python_version()}, Django {django.get_version()}, {pg}, "
        "gunicorn 2 sync workers, DEBUG off"
    )


def counts() -> dict[str, int]:
    """Rows of the big tables (PostgreSQL's estimate once analysed, else counted)."""
    tables = {
        "enterprises": "enterprises_enterprise",
        "contracts": "contracts_labourcontract",
        "workers": "contracts_worker",
        "e-signatures": "contracts_esignature",
        "contract history": "contracts_contracthistory",
        "mediation cases": "mediation_case",
        "certification applications": "certification_application",
    }
    out = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            if connection.vendor == "postgresql":
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
                row = cursor.fetchone()
                if row and row[0] and row[0] > 0:
                    out[label] = int(row[0])
                    continue
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
            out[label] = cursor.fetchone()[0]
    return out


def table(results: Iterable[Result], hello_rps: float | None, admin: Result | None) -> str:
    lines = [
        "| group | page or endpoint | role | status | queries | p50 c1 ms | p95 c1 ms | p50 c4 ms | "
        "p95 c4 ms | req/s c4 | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = r.target
        target = []
        if t.p95_target_ms is not None:
            target.append(f"p95 ≤ {t.p95_target_ms:,.0f} ms")
        if t.max_queries is not None:
            target.append(f"≤ {t.max_queries} q")
        lines.append(
            f"| {t.group} | {t.name} | {t.role} | {r.status} | {r.queries if r.queries is not None else '—'} | "
            f"{_ms(r.p50_c1)} | {_ms(r.p95_c1)} | {_ms(r.p50_c4)} | {_ms(r.p95_c4)} | "
            f"{_ms(r.rps_c4)} | {', '.join(target) or '—'} | {'yes' if r.met else '**no**'} |"
        )
    return "\n".join(lines)


def run(
    stdout,
    *,
    n: int = 20,
    only: Callable[[Target], bool] | None = None,
    log: Path | None = None,
) -> tuple[list[Result], dict]:
    """Measure the whole matrix and both baselines; returns the results and the summary figures."""
    headers, objects = principals(stdout)
    targets = [t for t in matrix(objects) if only is None or only(t)]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.benchmark",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    results: list[Result] = []
    with Gunicorn("config.wsgi:application", cwd=settings.BASE_DIR, env=env, log=log) as server:
        for target in targets:
            role_headers = headers.get(target.role)
            if role_headers is None:
                stdout.write(f"  skip {target.name} ({target.role}: no such user in this data set)\n")
                continue
            result = run_target(server.port, target, role_headers, n)
            results.append(result)
            stdout.write(
                f"  {target.group:8} {target.role:10} {target.name[:60]:60} {result.status} "
                f"q={result.queries} p50={_ms(result.p50_c1)} p95={_ms(result.p95_c1)} ms\n"
            )
        cheapest_path = reverse("notifications:inbox")
        cheap = run_target(
            server.port,
            Target(
                "baseline", "cheapest authenticated page (inbox)", "park_admin", cheapest_path, None, None
            ),
            headers["park_admin"],
            400,
        )
        results.append(cheap)
    hello_dir = Path(tempfile.mkdtemp(prefix="bench-hello-"))
    try:
        clean_env = {k: v for k, v in env.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
        workdir, cookie = hello_project(hello_dir, clean_env)
        hello_env = {**clean_env, "DJANGO_SETTINGS_MODULE": "hello.settings", "PYTHONPATH": str(workdir)}
        with Gunicorn("hello.wsgi:application", cwd=workdir, env=hello_env, log=log) as server:
            hello = run_target(
                server.port,
                Target("baseline", "hello view of a default Django project", "user", "/hello/", None, None),
                {"Cookie": cookie},
                400,
            )
        results.append(hello)
    finally:
        shutil.rmtree(hello_dir, ignore_errors=True)
    admin = next((r for r in results if r.target.role == "superuser"), None)
    library = next(
        (r for r in results if r.target.name == "contracts" and r.target.role == "park_admin"), None
    )
    summary = {
        "hello_rps": hello.rps_c4,
        "cheapest_rps": cheap.rps_c4,
        "cheapest_ratio": (cheap.rps_c4 / hello.rps_c4) if hello.rps_c4 and cheap.rps_c4 else None,
        "library_vs_admin": (admin.p50_c1 / library.p50_c1)
        if admin and admin.p50_c1 and library and library.p50_c1
        else None,
    }
    return results, summary
