"""Privacy by design (issue 15, deliverable 6): no answer of `/api/v1/` reveals an ID number to a
district system without `personal_data:read`, and lists stay masked with it.

The walk is generated from the router (config/api.py): every list, the details of its first rows,
every GET action of those rows (timelines, books...), every GET action of the collection, and the
router's other GET addresses. Two district systems walk the demo park with every scope, one without
`personal_data:read` and one with it. In every JSON answer:

- no full ID number of the park's people (applicants, workers, reporters) and no string that is a
  valid resident ID number;
- without `personal_data:read`: no `birth_date` or `sex` key anywhere (beside a masked number they
  would narrow it to a few candidates), and every `id_number` masked or empty;
- with it: lists the same; a detail may show a number in full (`id_number_full`), and each such
  view is written to the audit trail.

Besides, no list takes an ID number as a parameter (every FilterSet of the API is checked by name),
and the search by ID number (POST, then a token) needs `personal_data:read`.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts.scopes import SCOPES
from apps.audit.models import AuditEvent
from apps.core.personal_data import validate_id_number
from apps.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

PERSONAL = "personal_data:read"
#: Keys derived from an ID number (GB 11643-1999: digits 7-14 are the birth date, the 17th the sex).
DERIVED_KEYS = {"birth_date", "sex", "gender", "birthday"}
#: Anything shaped like a resident ID number (18 characters), inside any string.
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
#: Details to read per list (the first rows of its first page).
DETAILS_PER_LIST = 4


def _park_people():
    """Every full ID number of the park (decrypted): applicants, inspection workers and reporters,
    contract workers."""
    from apps.contracts.models import Worker as ContractWorker
    from apps.inspection.models import Reporter
    from apps.inspection.models import Worker as InspectionWorker
    from apps.mediation.models import Applicant

    numbers = set()
    for model in (Applicant, InspectionWorker, Reporter, ContractWorker):
        numbers.update(n for n in model.objects.values_list("id_number", flat=True).iterator() if n)
    return numbers


def _leaks(text: str, secrets: set, usccs: set) -> list[str]:
    found = [s for s in secrets if s in text] if secrets else []
    for candidate in ID_LIKE.findall(text):
        if candidate.upper() in usccs:
            continue
        try:
            validate_id_number(candidate)
        except ValidationError:
            continue
        found.append(candidate)
    return found


def _keys(data, path=""):
    """(path, key, value) of every key of a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield path, key, value
            yield from _keys(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _keys(value, f"{path}[{index}]")


class Walk:
    """Reads the API as one district system and checks every JSON answer."""

    def __init__(self, client, key, *, personal: bool, secrets: set, usccs: set):
        self.client, self.key, self.personal = client, key, personal
        self.secrets, self.usccs = secrets, usccs
        self.problems: list[str] = []
        self.visited: list[tuple[str, int]] = []
        self.full_numbers_seen = 0

    def get(self, url, *, detail: bool, params=None):
        response = self.client.get(url, params or {}, HTTP_AUTHORIZATION=f"Bearer {self.key}")
        self.visited.append((url, response.status_code))
        if response.status_code >= 500:
            self.problems.append(f"{url}: {response.status_code}")
            return None
        if not response.get("Content-Type", "").startswith("application/json"):
            return None  # a PDF or a file: their own scope and audit (tested by their modules)
        text = response.content.decode()
        for leak in _leaks(text, self.secrets, self.usccs):
            # A full number is allowed only in a detail for a client with personal_data:read.
            if not (self.personal and detail):
                self.problems.append(f"{url}: full ID number {leak[:4]}…{leak[-4:]}")
            else:
                self.full_numbers_seen += 1
        body = json.loads(text) if text else None
        for path, key, value in _keys(body):
            if key in DERIVED_KEYS and not (self.personal and detail):
                self.problems.append(f"{url}: `{key}` at {path or '.'}")
            unmasked = key == "id_number" and isinstance(value, str) and value and "*" not in value
            if unmasked and not (self.personal and detail):
                self.problems.append(f"{url}: unmasked `id_number` at {path}")
        return body


def _first_rows(body) -> list[dict]:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return body["results"]
    if isinstance(body, list):
        return body
    return []


def _lookup_value(row: dict, lookup_field: str):
    if lookup_field == "pk":
        return row.get("id")
    return row.get(lookup_field)


def walk_router(walk: Walk) -> None:
    from django.urls import URLPattern

    from config.api import router, urlpatterns

    # The addresses beside the router's that take no object (`me/`, the event feed...).
    for pattern in urlpatterns:
        if isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groupindex:
            walk.get(reverse(f"v1:{pattern.name}"), detail=False)
    for _prefix, viewset, basename in router.registry:
        lookup = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup
        rows = []
        if hasattr(viewset, "list"):
            body = walk.get(reverse(f"v1:{basename}-list"), detail=False)
            rows = _first_rows(body)[:DETAILS_PER_LIST]
        actions = viewset.get_extra_actions()
        for action in actions:
            if action.detail or "get" not in action.mapping:
                continue
            walk.get(reverse(f"v1:{basename}-{action.url_name}"), detail=False)
        for row in rows:
            value = _lookup_value(row, lookup)
            if value is None or not hasattr(viewset, "retrieve"):
                continue
            walk.get(reverse(f"v1:{basename}-detail", kwargs={kwarg: value}), detail=True)
            for action in actions:
                if action.detail and "get" in action.mapping:
                    walk.get(reverse(f"v1:{basename}-{action.url_name}", kwargs={kwarg: value}), detail=True)


def walk_people(walk: Walk) -> None:
    """The details that hold the most personal data, whatever the first rows were: a mediation case
    whose applicants gave their ID numbers, an inspection case with identified workers, a contract."""
    from apps.contracts.models import LabourContract
    from apps.inspection.models import InspectionCase
    from apps.mediation.models import Case

    mediation = Case.objects.exclude(applicants__id_number_hash="").order_by("serial").first()
    inspection = InspectionCase.objects.exclude(workers__id_number_hash="").order_by("serial").first()
    contract = LabourContract.objects.order_by("created_at").first()
    assert mediation and inspection and contract, "the demo park has people to protect"
    walk.get(reverse("v1:mediation-case-detail", kwargs={"pk": mediation.pk}), detail=True)
    walk.get(reverse("v1:mediation-case-timeline", kwargs={"pk": mediation.pk}), detail=True)
    walk.get(reverse("v1:mediation-case-list"), detail=False, params={"search": mediation.serial})
    walk.get(reverse("v1:inspection-case-detail", kwargs={"pk": inspection.pk}), detail=True)
    walk.get(reverse("v1:inspection-case-list"), detail=False, params={"status": inspection.status})
    walk.get(reverse("v1:contract-detail", kwargs={"pk": contract.pk}), detail=True)
    walk.get(reverse("v1:contract-list"), detail=False, params={"enterprise": str(contract.enterprise_id)})
    walk.get(reverse("v1:enterprise-contract-book", kwargs={"pk": contract.enterprise_id}), detail=True)
    walk.get(reverse("v1:me"), detail=False)
    return mediation, inspection, contract


@pytest.fixture
def park(demo_park, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


def test_no_answer_reveals_an_id_number(park, client, api_client_factory):
    secrets = _park_people()
    usccs = set(Enterprise.objects.values_list("uscc", flat=True))
    assert len(secrets) > 50

    # Without personal_data:read: nothing anywhere.
    _, key = api_client_factory(name="privacy-walk", scopes=[s for s in SCOPES if s != PERSONAL])
    walk = Walk(client, key, personal=False, secrets=secrets, usccs=usccs)
    walk_router(walk)
    walk_people(walk)
    answered = sum(code == 200 for _u, code in walk.visited)
    print(f"\nprivacy walk: {len(walk.visited)} requests, {answered} answered 200")
    assert len(walk.visited) > 60 and answered > 50
    assert not walk.problems, "\n".join(walk.problems[:40])
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()

    # With personal_data:read: lists the same; a detail shows numbers in full, each view audited.
    _, key = api_client_factory(name="privacy-walk-full", scopes=list(SCOPES))
    walk = Walk(client, key, personal=True, secrets=secrets, usccs=usccs)
    walk_router(walk)
    assert not walk.problems, "\n".join(walk.problems[:40])
    views = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SENSITIVE_VIEW, actor_label="api:privacy-walk-full"
    )
    before = views.count()
    mediation, inspection, contract = walk_people(walk)
    assert not walk.problems, "\n".join(walk.problems[:40])
    assert walk.full_numbers_seen > 0
    shown = (
        mediation.applicants.exclude(id_number_hash="").count()
        + inspection.workers.exclude(id_number_hash="").count()
        + 1  # the contract's worker
    )
    # Each full view of a number is an audit event (the timeline and the lists add none).
    assert views.count() - before == shown


def test_no_list_takes_an_id_number(settings):
    """No FilterSet of the API has a parameter that matches people by their ID number, birth date
    or sex; the one search by ID number is a POST whose token needs `personal_data:read`."""
    from config.api import router

    offenders = []
    for _prefix, viewset, basename in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        if filterset is None:
            continue
        for name, declared in filterset.base_filters.items():
            field = getattr(declared, "field_name", "") or ""
            if any(word in f"{name} {field}" for word in ("id_number", "birth", "sex", "gender")):
                offenders.append(f"{basename}: {name} ({field})")
    assert not offenders, offenders


def test_the_search_by_id_number_needs_the_personal_data_scope(client, api_client_factory, ent_a, park_admin):
    import datetime as dt
    from decimal import Decimal

    from apps.contracts import services as contracts
    from apps.contracts.models import ContractPolicy
    from apps.core.personal_data import search_token, with_check_character
    from apps.core.principal import principal_for_user
    from tests.contracts.conftest import row

    ContractPolicy.objects.get_or_create(  # the default policy of migration 0002
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": Decimal("1990"), "hourly_minimum_wage": Decimal("20.1")},
    )
    number = with_check_character("45020519900307123")
    result = contracts.file_batch(
        principal_for_user(park_admin), [row(ent_a, 3, worker_name="覃某", worker_id_number=number)]
    )
    assert not result.errors, result.errors
    search = reverse("v1:contract-id-search")
    listing = reverse("v1:contract-list")
    _, reader = api_client_factory(name="no-personal", scopes=["contracts:read"])
    _, full = api_client_factory(name="with-personal", scopes=["contracts:read", PERSONAL])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {reader}", "HTTP_ACCEPT_LANGUAGE": "en"}
    # Without the scope: the search is refused, and so is a token made elsewhere (a page's search).
    response = client.post(search, {"id_number": number}, content_type="application/json", **auth)
    assert response.status_code == 403 and number not in response.content.decode()
    assert client.get(listing, {"id_token": search_token(number)}, **auth).status_code == 403
    # An ID number in the address is no filter at all: it never matches a worker.
    response = client.get(listing, {"id_number": number}, **auth)
    assert response.status_code == 400 or number not in response.content.decode()
    # With it: the number goes in a POST body, the list is read with the token.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {full}", "HTTP_ACCEPT_LANGUAGE": "en"}
    bad = client.post(search, {"id_number": "450205199003071234"}, content_type="application/json", **auth)
    assert bad.status_code == 400 and "id_number" in bad.json()["error"]["fields"]
    token = client.post(search, {"id_number": number}, content_type="application/json", **auth).json()[
        "id_token"
    ]
    rows = client.get(listing, {"id_token": token}, **auth).json()["results"]
    assert [row["worker"]["name"] for row in rows] == ["覃某"]
    assert rows[0]["worker"]["id_number"] != number and "birth_date" not in rows[0]["worker"]
    assert client.get(listing, {"id_token": token + "x"}, **auth).status_code == 400
