"""Fixtures for webhooks: a real HTTP receiver on 127.0.0.1 that checks each delivery's signature
with the code the integration guide gives district systems, API clients and subscriptions."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from apps.accounts.services import create_api_client
from apps.webhooks import signing
from apps.webhooks.models import Subscription
from tests.contracts.conftest import policy  # noqa: F401 - fixture: the contract policy
from tests.mediation.conftest import make_case, med_org, mediator_user  # noqa: F401 - fixtures


# --- The receiver's code, as in the integration guide ------------------------------------------------
def verify_webhook(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """True when the delivery was signed with `secret` less than `tolerance` seconds ago."""
    timestamp = headers.get("X-Webhook-Timestamp", "")
    signature = headers.get("X-Webhook-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = (
        "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    return hmac.compare_digest(expected, signature)


# ------------------------------------------------------------------------------------------------------


class Receiver:
    """A district system's endpoint: records each request, checks its signature, answers the next
    code of `answers` (200 once they run out); `delay` seconds per request."""

    def __init__(self):
        self.secret = ""
        self.requests: list[dict] = []
        self.answers: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    verified = verify_webhook(receiver.secret, self.headers, body)
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body, "verified": verified}
                    )
                    code = receiver.answers.pop(0) if receiver.answers else 200
                if not verified:
                    code = 401
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/harmony"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def ids(self) -> list[str]:
        return [r["headers"]["X-Webhook-Id"] for r in self.requests]


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


ALL_READ = [
    "enterprises:read",
    "contracts:read",
    "mediation:read",
    "certification:read",
    "inspection:read",
]


@pytest.fixture
def make_client(db):
    def make(name="district-system", scopes=tuple(ALL_READ), area=None):
        with transaction.atomic():
            client, _key = create_api_client(name=name, scopes=list(scopes), area=area)
        return client

    return make


@pytest.fixture
def subscribe():
    """A subscription of `client` to `url` (all events by default), its secret given to `receiver`."""

    def make(client, receiver=None, *, url=None, event_types=("*",)):
        secret = signing.new_secret()
        subscription = Subscription.objects.create(
            client=client, url=url or receiver.url, event_types=list(event_types), secret=secret
        )
        if receiver is not None:
            receiver.secret = secret
        return subscription

    return make


def park_admin_principal():
    from apps.accounts.models import User
    from apps.accounts.roles import Role
    from apps.core.principal import principal_for_user
    from tests.factories import user_with_role

    user = User.objects.filter(username="webhooks-admin").first() or user_with_role(
        Role.PARK_ADMIN, username="webhooks-admin"
    )
    return principal_for_user(user)


def change_enterprise(enterprise, **changes):
    """An audited change of an enterprise through its service (one event), by a park administrator."""
    from apps.enterprises.services import update_enterprise

    with transaction.atomic():
        return update_enterprise(park_admin_principal(), enterprise, **changes)
