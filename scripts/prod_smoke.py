"""The two halves of scripts/prod-smoke.sh (run under config.settings.production).

    python scripts/prod_smoke.py setup            # prints "<username> <password> <certificate number>"
    python scripts/prod_smoke.py http BASE_URL USERNAME PASSWORD NUMBER

`setup` writes the least data a certificate needs (a town, an enterprise with its HR user, a round,
a certified application) and issues the certificate through the certification service, which
queues its PDF to the real Celery worker. `http` then behaves like a browser behind the TLS proxy
(X-Forwarded-Proto: https, cookies kept whatever their Secure flag): it logs in (CSRF token and
session cookie), polls the certificate's PDF until the worker has made it, and checks the security
headers, the cookies' flags, the HTTPS redirect and /healthz. Standard library only.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import secrets
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def fail(message: str) -> None:
    print(f"prod-smoke: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


# --- setup ---------------------------------------------------------------------------------------


def setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import Membership, Organisation, User
    from apps.accounts.roles import Role
    from apps.certification.models import Application, Round, RuleSet
    from apps.certification.services import issue_certificate
    from apps.core.models import Area
    from apps.core.principal import SYSTEM
    from apps.enterprises.models import Enterprise

    today = timezone.localdate()
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        district = Area.objects.create(name="冒烟区", code="990000", kind=Area.Kind.DISTRICT)
        town = Area.objects.create(name="冒烟镇", code="990001", kind=Area.Kind.TOWN, parent=district)
        org = Organisation.objects.create(
            name="冒烟电子有限公司", kind=Organisation.Kind.ENTERPRISE, area=town
        )
        enterprise = Enterprise.objects.create(
            organisation=org,
            uscc="91990000MA00000000",
            name=org.name,
            town=town,
            industry="C",
            ownership=Enterprise._meta.get_field("ownership").choices[0][0],
            established_on=dt.date(2015, 3, 1),
            employees=120,
        )
        hr = User.objects.create(username="smoke-hr", email="hr@smoke.example.cn")
        hr.set_password(password)
        hr.save()
        Membership.objects.create(user=hr, organisation=org, role=Role.ENTERPRISE_HR)
        rule_set = RuleSet.objects.order_by("year").first()  # the default rule set (migration 0002)
        round_ = Round.objects.create(
            rule_set=rule_set,
            name=f"{today.year}年度冒烟",
            year=today.year,
            opens_on=today - dt.timedelta(days=30),
            closes_on=today + dt.timedelta(days=60),
        )
        level = rule_set.levels.order_by("code").first()
        app = Application.objects.create(
            round=round_, rule_set=rule_set, enterprise=enterprise, target_level=level, proposed_level=level
        )
        Application.objects.filter(pk=app.pk).update(status=Application.Status.CERTIFIED)
        app.refresh_from_db()
        cert = issue_certificate(app, SYSTEM)  # queues the PDF to the worker on commit
    print(hr.username, password, cert.number)


# --- http ----------------------------------------------------------------------------------------


class Browser:
    """One client behind the TLS-terminating proxy: every request says X-Forwarded-Proto: https."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method, path, *, body=None, headers=None, proxied=True):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if proxied:
            all_headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, data


def check_headers(response, where: str) -> None:
    expected = {
        "Strict-Transport-Security": "max-age=31536000",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    for name, value in expected.items():
        got = response.getheader(name) or ""
        if value not in got:
            fail(f"{where}: header {name} is {got!r}, expected it to contain {value!r}")


def http_checks(base_url: str, username: str, password: str, number: str) -> None:
    b = Browser(base_url)

    response, _ = b.request("GET", "/accounts/login/", proxied=False)
    location = response.getheader("Location") or ""
    if response.status != 301 or not location.startswith("https://"):
        fail(f"plain HTTP should redirect to HTTPS, got {response.status} {location!r}")

    response, page = b.request("GET", "/accounts/login/")
    if response.status != 200:
        fail(f"login page answered {response.status}")
    check_headers(response, "login page")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match or "csrftoken" not in b.cookies:
        fail("no CSRF token on the login page")
    form = urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password}
    )
    response, _ = b.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{b.origin}/accounts/login/",
        },
    )
    if response.status != 302 or "sessionid" not in b.cookies:
        fail(f"login refused: {response.status} {response.getheader('Location')!r}")
    for header in b.set_cookie_headers:
        name = header.split("=", 1)[0]
        flags = header.lower()
        if name in {"sessionid", "csrftoken"} and "secure" not in flags:
            fail(f"cookie {name} lacks the Secure flag: {header}")
        if name == "sessionid" and "httponly" not in flags:
            fail(f"cookie sessionid lacks HttpOnly: {header}")

    path = f"/certification/certificates/{number}/"
    response, _ = b.request("GET", path)
    if response.status != 200:
        fail(f"certificate page answered {response.status}")
    check_headers(response, "certificate page")

    deadline = time.monotonic() + float(os.environ.get("PROD_SMOKE_PDF_TIMEOUT", "40"))
    while True:
        response, pdf = b.request("GET", f"{path}?download=pdf")
        if response.status == 200:
            break
        if response.status != 404 or time.monotonic() > deadline:
            fail(f"certificate PDF not served: {response.status} (is the worker running?)")
        time.sleep(0.5)
    if not pdf.startswith(b"%PDF") or response.getheader("Content-Type") != "application/pdf":
        fail("the certificate download is not a PDF")
    if response.getheader("X-Content-SHA256") != hashlib.sha256(pdf).hexdigest():
        fail("the PDF does not match its X-Content-SHA256")
    check_headers(response, "PDF download")

    # The load balancer probes the backend over plain HTTP: /healthz is exempt from the redirect.
    response, body = b.request("GET", "/healthz", proxied=False)
    if response.status != 200:
        fail(f"/healthz over plain HTTP: {response.status} {body[:200]!r}")
    health = json.loads(body)
    if health["checks"] != {"database": "ok", "broker": "ok"}:
        fail(f"/healthz: {response.status} {health}")
    print(
        f"prod-smoke: login, certificate {number} PDF ({len(pdf)} bytes, made by the worker), headers, healthz: ok"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["setup"]:
        setup()
    elif sys.argv[1:2] == ["http"] and len(sys.argv) == 6:
        http_checks(*sys.argv[2:])
    else:
        fail(__doc__)
