"""The search across modules (issue 20, `apps.core.search`, `apps.dashboard.views_search`).

Two enterprises A and B, each with its HR, a worker with a filed contract and a mediation case
(A's case at the township organisation, B's at B's own committee, each with its mediator); B's
worker is also the applicant of B's case. Each kind is found by the user who may see it and by
no one else; a search by ID number is sent by POST, answered without a redirect (the number is
never in an address), shown masked and audited without the number; bad input never answers 500.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from apps.appeals import services as appeals
from apps.audit.models import AuditEvent
from apps.contracts import services as contracts
from apps.contracts.models import ContractPolicy
from apps.core import search as finder
from apps.core.personal_data import lookup_hash, mask_id_number, with_check_character
from apps.core.principal import ANONYMOUS, SYSTEM, principal_for_user
from apps.inspection import services as inspection
from apps.inspection.models import Source
from apps.legalaid import services as legalaid
from apps.mediation import services as mediation
from apps.mediation.models import MediationOrganisation, Mediator
from apps.unions.models import Union
from tests.factories import UnionFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = "/search/"
WORKER_A = with_check_character("45020519900307011")
WORKER_B = with_check_character("45020519880512022")


def contract_row(enterprise, n: int, id_number: str) -> dict:
    return {
        "enterprise_uscc": enterprise.uscc,
        "worker_name": f"工人{n}",
        "worker_id_number": id_number,
        "worker_phone": f"1380771{n:04d}",
        "contract_number": f"HT-{n:05d}",
        "kind": "fixed_term",
        "employment_start": "2026-01-01",
        "start": "2026-01-01",
        "end": "2028-12-31",
        "probation_end": "2026-03-31",
        "job": "装配工",
        "monthly_pay": "4500",
        "signed_on": "2026-01-01",
    }


def applicant(name: str, id_number: str) -> dict:
    return {
        "name": name,
        "id_number": id_number,
        "phone": f"138077{random.randint(10000, 99999)}",
        "job": "装配工",
        "employed_from": dt.date(2022, 3, 1),
    }


def mediator(org: MediationOrganisation, name: str):
    user = user_with_role(Role.MEDIATOR, org.organisation, full_name=name)
    mediation.save_mediator(
        SYSTEM, Mediator(organisation=org, user=user, name=name, specialities=["remuneration"])
    )
    return user


@pytest.fixture
def park(ent_a, ent_b, ent_hr_a, ent_hr_b, park_admin):
    """Contracts of worker A at A and worker B at B; a case against each enterprise (B's by worker
    B); each case's mediation organisation with its mediator."""
    ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": Decimal("1990"), "hourly_minimum_wage": Decimal("20.1")},
    )
    contracts.file_batch(SYSTEM, [contract_row(ent_a, 1, WORKER_A), contract_row(ent_b, 2, WORKER_B)])
    org_a = mediation.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[ent_a.town]
    )
    org_b = mediation.create_organisation(
        SYSTEM,
        name="乙公司劳动争议调解委员会",
        kind=MediationOrganisation.Kind.ENTERPRISE,
        enterprises=[ent_b],
    )
    common = {"types": ["remuneration"], "claims": "支付拖欠工资 12000 元", "amount_claimed": "12000"}
    case_a, _ = mediation.apply_online(
        applicants=[applicant("申请人甲", with_check_character("45020519950101033"))],
        consent=True,
        respondent_enterprise=ent_a,
        **common,
    )
    case_b, _ = mediation.apply_online(
        applicants=[applicant("工人2", WORKER_B)], consent=True, respondent_enterprise=ent_b, **common
    )
    assert case_a.organisation == org_a and case_b.organisation == org_b
    return {
        "case_a": case_a,
        "case_b": case_b,
        "mediator_a": mediator(org_a, "李调解"),
        "mediator_b": mediator(org_b, "赵调解"),
    }


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def hits(response) -> list[str]:
    """The titles of what the page found, in order."""
    return [str(h["title"]) for g in response.context["groups"] for h in g.hits]


def kinds(response, attribute: str) -> dict[str, list[str]]:
    return {g.module: [str(k) for k in getattr(g, attribute)] for g in response.context["groups"]}


# Who may open the page ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login(client):
    for response in (client.get(URL, {"q": "TJ2026"}), client.post(URL, {"q": WORKER_A})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(action="search.id_number").exists()


def test_the_empty_page_has_the_box_and_searches_nothing(client, park_admin):
    response = english(client, park_admin).get(URL)
    assert response.status_code == 200
    assert response.context["query"] is None
    assert 'role="search"' in response.content.decode()


def test_the_navbar_box_posts_to_the_search(client, ent_hr_a):
    page = english(client, ent_hr_a).get(reverse("enterprises:list")).content.decode()
    form = re.search(r'<form action="/search/" method="post" role="search"[^>]*>(.*?)</form>', page, re.S)
    assert form and 'name="q"' in form.group(1) and "csrfmiddlewaretoken" in form.group(1)
    assert 'autocomplete="off"' in form.group(1)  # no ID number kept in the browser's form history


# Enterprises ------------------------------------------------------------------------------------------


def test_an_enterprise_by_part_of_its_name_or_its_credit_code(client, ent_a, ent_b, park_admin, ent_hr_b):
    client = english(client, park_admin)
    assert hits(client.get(URL, {"q": "甲汽车"})) == [ent_a.name]
    assert hits(client.get(URL, {"q": ent_b.uscc.lower()})) == [ent_b.name]  # exact, any case
    assert hits(client.get(URL, {"q": "柳州"})) == sorted([ent_a.name, ent_b.name])
    # B's HR sees only their enterprise in the registry.
    client = english(client, ent_hr_b)
    assert hits(client.get(URL, {"q": "柳州"})) == [ent_b.name]
    response = client.get(URL, {"q": ent_a.uscc})
    assert hits(response) == []
    assert kinds(response, "empty") == {"enterprises": ["Enterprise"]}


def test_more_enterprises_than_a_page_link_to_the_registry(client, park_admin):
    from tests.factories import EnterpriseFactory

    for n in range(finder.PER_KIND + 2):
        EnterpriseFactory(name=f"柳州多家测试企业{n:02d}有限公司")
    response = english(client, park_admin).get(URL, {"q": "多家测试"})
    assert len(hits(response)) == finder.PER_KIND
    (group,) = response.context["groups"]
    assert group.more[0]["more_url"].startswith(reverse("enterprises:list") + "?search=")
    assert 'data-testid="search-more"' in response.content.decode()


# Cases by serial number -------------------------------------------------------------------------------


def test_a_mediation_case_by_its_serial_or_its_beginning(client, park, park_admin):
    case_a, case_b = park["case_a"], park["case_b"]
    client = english(client, park_admin)
    response = client.get(URL, {"q": case_a.serial.lower()})
    assert hits(response) == [f"{case_a.serial} · {case_a.respondent_name}"]
    assert reverse("mediation:detail", args=[case_a.pk]) in response.content.decode()
    prefix = case_a.serial.split("-")[0]  # TJ2026: every case of the year, newest first
    assert hits(client.get(URL, {"q": prefix})) == [
        f"{c.serial} · {c.respondent_name}"
        for c in sorted([case_a, case_b], key=lambda c: c.serial, reverse=True)
    ]


def test_a_mediator_finds_only_the_cases_of_their_organisation(client, park):
    case_a, case_b = park["case_a"], park["case_b"]
    client = english(client, park["mediator_a"])
    assert hits(client.get(URL, {"q": case_a.serial})) == [f"{case_a.serial} · {case_a.respondent_name}"]
    response = client.get(URL, {"q": case_b.serial})
    assert hits(response) == []
    assert kinds(response, "empty")["mediation"] == ["Mediation case"]
    client = english(client, park["mediator_b"])
    assert hits(client.get(URL, {"q": case_b.serial})) == [f"{case_b.serial} · {case_b.respondent_name}"]
    assert hits(client.get(URL, {"q": case_a.serial})) == []


def test_an_inspection_case_by_its_serial(client, ent_a, park_admin, ent_hr_b):
    case, created = inspection.register_case(
        SYSTEM,
        source=Source.COMPLAINT,
        workers=[{"name": "工人5", "id_number": WORKER_A, "phone": "13807710005"}],
        matters=["wage_arrears"],
        facts="拖欠 2026 年 8-9 月工资",
        amount_owed="12000",
        enterprise=ent_a,
    )
    assert created
    response = english(client, park_admin).get(URL, {"q": case.serial})
    assert hits(response) == [f"{case.serial} · {case.employer_name}"]
    assert reverse("inspection:detail", args=[case.pk]) in response.content.decode()
    assert hits(english(client, ent_hr_b).get(URL, {"q": case.serial})) == []


def test_an_appeal_by_its_reference(client, ent_a, ent_hr_a, ent_hr_b, park_admin):
    appeal = appeals.file_appeal(
        principal_for_user(ent_hr_a),
        enterprise=ent_a,
        kind="hiring",
        subject="招聘普工30名",
        text="请协助对接劳务基地。",
        contact_name="王芳",
        contact_phone="13877201234",
    )
    for user in (ent_hr_a, park_admin):
        response = english(client, user).get(URL, {"q": appeal.reference})
        assert hits(response) == [f"{appeal.reference} · 招聘普工30名"]
    assert hits(english(client, ent_hr_b).get(URL, {"q": appeal.reference})) == []


def test_a_legal_aid_request_by_its_serial(client, ent_a, ent_hr_a):
    federation = UnionFactory(name="园区工会联合会", kind=Union.Kind.FEDERATION)
    union_a = UnionFactory(name="甲公司工会", parent=federation, enterprises=[ent_a])
    official = user_with_role(Role.UNION_OFFICIAL, union_a.organisation)
    request, _code = legalaid.register_request(
        ANONYMOUS,
        name="工人7",
        id_number=WORKER_A,
        phone="13807710007",
        kind="mediation",
        facts="公司拖欠三个月工资。",
        claims="支付拖欠工资 12000 元",
        consent=True,
        enterprise=ent_a,
    )
    response = english(client, official).get(URL, {"q": request.serial})
    assert [h for h in hits(response) if h.startswith(request.serial)]
    # HR never reads a worker's request for help against their employer: not even a "not found".
    response = english(client, ent_hr_a).get(URL, {"q": request.serial})
    assert "legalaid" not in {g.module for g in response.context["groups"]}
    # The handling union's official finds it by the worker's ID number too.
    response = english(client, official).post(URL, {"q": WORKER_A})
    legal = [h for g in response.context["groups"] if g.module == "legalaid" for h in g.hits]
    assert [h["url"] for h in legal] == [reverse("legalaid:detail", args=[request.pk])]


# Workers by ID number ---------------------------------------------------------------------------------


def test_hr_never_finds_another_enterprises_worker(client, park, ent_hr_a, ent_hr_b):
    response = english(client, ent_hr_a).post(URL, {"q": WORKER_B})
    assert response.status_code == 200  # answered on the POST: the number is never in an address
    assert hits(response) == []
    assert kinds(response, "empty")["contracts"] == ["Worker (labour contracts)"]
    # What HR may not search is said, not passed off as "no results".
    assert kinds(response, "refused")["mediation"] == ["Mediation case (applicant)"]
    body = response.content.decode()
    assert WORKER_B not in body
    assert mask_id_number(WORKER_B) in body

    response = english(client, ent_hr_b).post(URL, {"q": WORKER_B.lower()})
    contracts_hits = [h for g in response.context["groups"] if g.module == "contracts" for h in g.hits]
    assert [h["title"] for h in contracts_hits] == [f"工人2 · {mask_id_number(WORKER_B)}"]
    link = contracts_hits[0]["url"]
    assert WORKER_B not in link and lookup_hash(WORKER_B) not in link
    # The link opens the contract list on that worker, through the search's token.
    listed = client.get(link)
    assert listed.status_code == 200
    assert [c.worker.name for c in listed.context["page"]] == ["工人2"]
    assert WORKER_B not in response.content.decode()


def test_the_park_finds_a_worker_in_every_module_that_has_them(client, park, park_admin):
    response = english(client, park_admin).post(URL, {"q": WORKER_B})
    found = {g.module: [h["url"] for h in g.hits] for g in response.context["groups"] if g.hits}
    assert found["mediation"] == [reverse("mediation:detail", args=[park["case_b"].pk])]
    assert found["contracts"][0].startswith(reverse("contracts:list") + "?id_token=")
    assert not any(g.refused for g in response.context["groups"])


def test_a_mediator_finds_applicants_of_their_organisations_cases_only(client, park):
    response = english(client, park["mediator_a"]).post(URL, {"q": WORKER_B})
    assert hits(response) == []
    assert kinds(response, "empty")["mediation"] == ["Mediation case (applicant)"]
    response = english(client, park["mediator_b"]).post(URL, {"q": WORKER_B})
    case_b = park["case_b"]
    assert hits(response) == [f"{case_b.serial} · {case_b.respondent_name}"]


def test_a_search_by_id_number_is_audited_without_the_number(client, park, ent_hr_b):
    english(client, ent_hr_b).post(URL, {"q": WORKER_B})
    event = AuditEvent.objects.get(action="search.id_number")
    assert event.kind == AuditEvent.Kind.SENSITIVE_VIEW
    assert event.actor == ent_hr_b
    assert event.after == {"modules": {"contracts": 1}, "refused": ["mediation", "inspection"], "hits": 1}
    written = f"{event.before} {event.after} {event.note} {event.object_repr} {event.object_id}"
    for secret in (WORKER_B, WORKER_B[:17], lookup_hash(WORKER_B)):
        assert secret not in written


def test_searches_by_id_number_count_toward_the_bulk_viewing_alert(client, park, ent_hr_b, settings):
    """A principal walking ID numbers through the box is bulk viewing: the look-ups count with the
    full views, and the park is alerted when they reach the hourly threshold."""
    settings.SENSITIVE_VIEWS_ALERT_PER_HOUR = 3
    english(client, ent_hr_b)
    for _ in range(2):
        client.post(URL, {"q": WORKER_B})
    assert not AuditEvent.objects.filter(action="audit.sensitive_views_threshold").exists()
    client.post(URL, {"q": WORKER_B})
    alert = AuditEvent.objects.get(action="audit.sensitive_views_threshold")
    assert ent_hr_b.username in alert.note or str(ent_hr_b) in alert.note
    assert AuditEvent.objects.filter(action="search.id_number").count() == 3


@pytest.fixture
def search_budget(monkeypatch):
    """Small budgets: 4 searches and 2 by ID number per user and window."""
    from apps.api.throttling import IdSearchThrottle, SearchThrottle

    rates = {**SearchThrottle.THROTTLE_RATES, "search": "4/hour", "search_id_number": "2/hour"}
    for throttle in (SearchThrottle, IdSearchThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)


def test_searches_by_id_number_have_their_own_budget(client, park, park_admin, ent_hr_a, search_budget):
    english(client, park_admin)
    for _ in range(2):
        assert client.post(URL, {"q": WORKER_B}).status_code == 200
    refused = client.post(URL, {"q": WORKER_B})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "too often" in refused.content.decode() and refused.context["groups"] == []
    # The refused search ran nothing and wrote nothing.
    assert AuditEvent.objects.filter(action="search.id_number").count() == 2
    # A search by name still has room in the general budget; another user has their own.
    assert client.get(URL, {"q": "柳州"}).status_code == 200
    assert english(client, ent_hr_a).post(URL, {"q": WORKER_A}).status_code == 200


def test_every_search_counts_toward_the_users_budget(client, park, park_admin, search_budget):
    english(client, park_admin)
    for _ in range(4):
        assert client.get(URL, {"q": "柳州"}).status_code == 200
    refused = client.get(URL, {"q": "柳州"})
    assert refused.status_code == 429
    assert "Too many searches" in refused.content.decode()
    # In Chinese by default.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "搜索过于频繁" in client.get(URL, {"q": "柳州"}).content.decode()


def test_a_search_that_is_not_by_id_number_is_not_audited(client, park, park_admin):
    english(client, park_admin).get(URL, {"q": park["case_a"].serial})
    english(client, park_admin).get(URL, {"q": "柳州"})
    assert not AuditEvent.objects.filter(action="search.id_number").exists()


def test_an_id_number_in_the_address_searches_no_worker(client, park, park_admin):
    response = english(client, park_admin).get(URL, {"q": WORKER_B})
    assert response.status_code == 200
    assert response.context["query"].id_hash == ""
    assert not any(g.by_id for g in response.context["groups"])
    assert "search-id-problem" in response.content.decode()
    assert "search box" in response.context["query"].id_problem
    assert response.context["text"] == ""  # not echoed into the box
    assert f'value="{WORKER_B}"' not in response.content.decode()
    assert not AuditEvent.objects.filter(action="search.id_number").exists()


def test_a_role_that_may_search_no_worker_is_told_so(client, park):
    nobody = UserFactory()  # signed in, no role in any organisation
    response = english(client, nobody).post(URL, {"q": WORKER_B})
    assert response.status_code == 200
    assert response.context["id_refused"] is True
    assert "your role may not search workers" in response.content.decode()
    assert "No results" not in response.content.decode()


def test_an_invalid_id_number_is_said_and_searches_no_worker(client, park, park_admin):
    wrong = WORKER_B[:17] + ("0" if WORKER_B[17] != "0" else "1")  # the check character is wrong
    response = english(client, park_admin).post(URL, {"q": wrong})
    assert response.status_code == 200
    assert "check character" in response.context["query"].id_problem
    assert not any(g.by_id for g in response.context["groups"])
    assert wrong not in response.content.decode()
    assert not AuditEvent.objects.filter(action="search.id_number").exists()


# Input -----------------------------------------------------------------------------------------------


def test_a_search_sent_by_the_box_lands_on_its_address(client, park_admin):
    response = english(client, park_admin).post(URL, {"q": "  TJ2026-0001 "})
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query) == {"q": ["TJ2026-0001"]}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "at least 2"),
        ("   ", "at least 2"),
        ("a", "at least 2"),
        ("甲", "at least 2"),
        ("x" * 500, "at most 100"),
    ],
)
def test_too_short_or_too_long_is_a_form_error_not_a_scan(client, park_admin, text, error):
    client = english(client, park_admin)
    for response in (client.get(URL, {"q": text}), client.post(URL, {"q": text})):
        assert response.status_code == 200
        assert error in " ".join(response.context["errors"])
        assert response.context["groups"] == []


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE enterprises_enterprise; --",
        "%",
        "%%",
        "__",
        "TJ%",
        "TJ2026-_____",
        "\\\\",
        "<script>alert(1)</script>",
        "1' OR '1'='1",
        "９１４５０２",
        "450205199003070",  # 15 digits: an old-style number, not searched as one
        "45020519900307011X9",
        "00000000000000000X",
        "\x00\x01",
    ],
)
def test_odd_input_never_answers_500(client, park, park_admin, text):
    client = english(client, park_admin)
    for response in (client.get(URL, {"q": text}), client.post(URL, {"q": text}, follow=True)):
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_wildcards_are_taken_literally(client, park, park_admin):
    """`%` and `_` are not patterns: `TJ%` finds no case (the serials begin with TJ2026...)."""
    client = english(client, park_admin)
    assert hits(client.get(URL, {"q": "TJ%"})) == []
    assert hits(client.get(URL, {"q": "柳州%"})) == []


def test_other_methods_are_refused(client, park_admin):
    client.force_login(park_admin)
    assert client.put(URL).status_code == 405


# Cost ------------------------------------------------------------------------------------------------


def test_a_search_keeps_a_small_query_budget(
    client, park, park_admin, ent_hr_b, django_assert_max_num_queries
):
    """However many modules answer: a bounded number of queries (look-ups by index, no query per
    row), for a serial, a name and an ID number."""
    for user in (park_admin, ent_hr_b, park["mediator_a"]):
        client = english(client, user)
        client.get(URL, {"q": "warm-up"})  # the session, the user and their permissions
        # The user, then one look-up per module that reads serials (registry, certificates,
        # mediation, inspection, legal aid, appeals): 7 for the park administrator.
        with django_assert_max_num_queries(9):
            client.get(URL, {"q": park["case_b"].serial})
        with django_assert_max_num_queries(3):  # the user, the registry's names
            client.get(URL, {"q": "柳州"})
        # The user, the credit code, one look-up per module holding ID numbers, and the audit event
        # (in its savepoint): 12 for the park administrator.
        with django_assert_max_num_queries(14):
            client.post(URL, {"q": WORKER_B})


# The query object -----------------------------------------------------------------------------------


def test_the_query_reads_the_text_once():
    query = finder.parse(f" {WORKER_B.lower()} ", id_allowed=True)
    assert query.looks_like_id and query.by_id
    assert query.id_hash == lookup_hash(WORKER_B)
    assert query.id_masked == mask_id_number(WORKER_B)
    assert query.credit_code == WORKER_B  # 18 characters: also looked up as a credit code
    assert query.serial == ""
    assert finder.parse(WORKER_B, id_allowed=False).id_hash == ""
    assert finder.parse("tj2026-00042", id_allowed=True).serial == "TJ2026-00042"
    assert finder.parse("HX2025-AAA-0007", id_allowed=True).serial == "HX2025-AAA-0007"
    assert finder.parse("柳州甲", id_allowed=True).serial == ""
    assert finder.parse("914502007088123456", id_allowed=True).credit_code == "914502007088123456"
    # What a Chinese input method types in full width is read as the number it is.
    assert finder.parse("ＴＪ２０２６－０００４２", id_allowed=True).serial == "TJ2026-00042"
    wide = "".join(chr(ord(c) + 0xFEE0) for c in WORKER_B)
    assert finder.parse(wide, id_allowed=True).id_hash == lookup_hash(WORKER_B)
    # A name keeps its full-width brackets (the registry writes them so).
    assert finder.parse("柳州（分公司）", id_allowed=True).text == "柳州（分公司）"
