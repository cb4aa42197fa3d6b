"""New forms of employment (issue 19): platform workers, their labour relationship, union
membership (join, leave, refusals), scoping, figures by platform and town, the union figures page
with the modules' tables (hook), the pages and `/api/v1/new-employment-workers/`."""

import datetime as dt

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone, translation

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed
from apps.core.personal_data import with_check_character
from apps.core.principal import principal_for_user
from apps.unions import rules, selectors, services
from apps.unions.models import Platform, PlatformMembership, PlatformWorker, Union
from tests.factories import TownFactory, UnionFactory, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
API = "/api/v1/new-employment-workers/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JSON = "application/json"
_seq = iter(range(10, 99))


def id_number(birth="19900307"):
    return with_check_character(f"450206{birth}{next(_seq):02d}1")


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


@pytest.fixture(autouse=True)
def _english():
    """Messages in English (the msgids) so the assertions read the source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def town():
    return TownFactory(name="雒容镇", code="450271100")


@pytest.fixture
def town2():
    return TownFactory(name="洛埠镇", code="450271101")


@pytest.fixture
def federation(town):
    fed = UnionFactory(name="柳东新区工会联合会", kind="federation", members=0)
    fed.organisation.area = town.parent or town
    fed.organisation.save()
    return fed


@pytest.fixture
def industry(federation):
    union = UnionFactory(name="新就业形态行业工会联合会", kind="industry", parent=federation, members=0)
    union.organisation.parent = federation.organisation
    union.organisation.save()
    return union


@pytest.fixture
def joint(federation):
    return UnionFactory(name="雒容镇联合工会", kind="joint", parent=federation)


@pytest.fixture
def other_union():
    return UnionFactory(name="外区行业工会", kind="industry", members=0)


@pytest.fixture
def enterprise_union(federation):
    return UnionFactory(name="某公司工会委员会", kind="enterprise", parent=federation)


@pytest.fixture
def ride():
    return Platform.objects.create(name="畅行出行", kind=Platform.Kind.RIDE_HAILING)


@pytest.fixture
def food():
    return Platform.objects.create(name="快送外卖", kind=Platform.Kind.FOOD_DELIVERY)


@pytest.fixture
def admin(park_admin):
    return principal_for_user(park_admin)


@pytest.fixture
def official(industry):
    return user_with_role(Role.UNION_OFFICIAL, industry.organisation)


@pytest.fixture
def fed_official(federation):
    return user_with_role(Role.UNION_OFFICIAL, federation.organisation)


def register(principal, town, platforms, **kw):
    data = {
        "name": "王小明",
        "id_number": id_number(),
        "town": town,
        "occupation": "rider",
        "relationship": "not_fully",
        "platforms": platforms,
        "phone": "13800001111",
    } | kw
    return services.register_platform_worker(principal, **data)


# Rules ---------------------------------------------------------------------------------------------


def test_every_relationship_status_has_its_rule_and_the_56_source():
    for code in PlatformWorker.Relationship.values:
        rule = rules.relationship_rule(code)
        assert "人社部发〔2021〕56号" in str(rule.source)
    assert "labour contract" in str(rules.relationship_rule("labour_contract").obligation)
    assert "written agreement" in str(rules.relationship_rule("not_fully").obligation)
    assert "civil law" in str(rules.relationship_rule("independent").obligation)
    with pytest.raises(KeyError):
        rules.relationship_rule("freelance")


@pytest.mark.parametrize(
    ("kind", "ok"),
    [("joint", True), ("industry", True), ("federation", True), ("enterprise", False)],
)
def test_joinable_union_kinds(kind, ok):
    allowed, reason, source = rules.may_join(kind, True)
    assert allowed is ok
    if not ok:
        assert "Trade Union Law art. 11" in str(reason) and source == rules.JOINABLE_UNION_SOURCE
    assert rules.may_join("joint", False)[0] is False


def test_year_end_is_today_in_the_current_year():
    assert rules.year_end(TODAY.year, TODAY) == TODAY
    assert rules.year_end(TODAY.year - 1, TODAY) == dt.date(TODAY.year - 1, 12, 31)


# Services ------------------------------------------------------------------------------------------


def test_register_and_join_at_once(official, industry, town, ride, food):
    principal = principal_for_user(official)
    worker = register(principal, town, [ride, food], union=industry, joined_on=TODAY)
    assert worker.registered_by == industry
    assert set(worker.platforms.all()) == {ride, food}
    membership = PlatformMembership.objects.get(worker=worker)
    assert membership.union == industry and membership.left_on is None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"unions.register_platform_worker", "unions.join_union"} <= actions
    event = AuditEvent.objects.get(action="unions.register_platform_worker")
    assert worker.id_number not in str(event.after)


def test_registration_refusals(admin, town, ride, federation):
    with pytest.raises(DomainError) as exc:
        register(admin, town, [], id_number="123", occupation="pilot", relationship="x", phone="12", name=" ")
    assert set(exc.value.fields) == {"name", "id_number", "occupation", "relationship", "platforms", "phone"}
    assert "人社部发〔2021〕56号" in str(exc.value.fields["relationship"][0])
    number = id_number()
    register(admin, town, [ride], id_number=number)
    with pytest.raises(DomainError) as exc:
        register(admin, town, [ride], id_number=number)
    assert "already registered" in str(exc.value.fields["id_number"][0])
    # A district is not a town.
    with pytest.raises(DomainError) as exc:
        register(admin, federation.organisation.area.parent or TownFactory(kind="district"), [ride])
    assert "town" in exc.value.fields


def test_official_must_name_their_own_union(official, other_union, town, ride):
    principal = principal_for_user(official)
    with pytest.raises(DomainError) as exc:
        register(principal, town, [ride])
    assert "union" in exc.value.fields
    with pytest.raises(NotAllowed):
        register(principal, town, [ride], union=other_union)


def test_hr_never_registers(ent_hr_a, town, ride, industry):
    with pytest.raises(NotAllowed):
        register(principal_for_user(ent_hr_a), town, [ride], union=industry)


def test_join_refuses_an_enterprise_union_and_a_duplicate_membership(
    admin, town, ride, enterprise_union, industry, joint
):
    worker = register(admin, town, [ride])
    with pytest.raises(DomainError) as exc:
        services.join_union(admin, worker, enterprise_union, joined_on=TODAY)
    assert "Trade Union Law art. 11" in str(exc.value.fields["union"][0])
    services.join_union(admin, worker, industry, joined_on=TODAY - dt.timedelta(days=10))
    with pytest.raises(DomainError) as exc:
        services.join_union(admin, worker, joint, joined_on=TODAY)
    message = str(exc.value.fields["union"][0])
    assert "already a member" in message and industry.name in message
    assert PlatformMembership.objects.filter(worker=worker).count() == 1
    with pytest.raises(DomainError) as exc:
        services.join_union(
            admin, register(admin, town, [ride]), joint, joined_on=TODAY + dt.timedelta(days=1)
        )
    assert "future" in str(exc.value.fields["joined_on"][0])


def test_leave_then_join_another_union(admin, town, ride, industry, joint):
    worker = register(admin, town, [ride], union=industry, joined_on=TODAY - dt.timedelta(days=100))
    with pytest.raises(DomainError) as exc:
        services.leave_union(admin, worker, left_on=TODAY - dt.timedelta(days=200))
    assert exc.value.field == "left_on"
    services.leave_union(admin, worker, left_on=TODAY - dt.timedelta(days=5), reason="离开本地")
    with pytest.raises(DomainError) as exc:
        services.leave_union(admin, worker, left_on=TODAY)
    assert "not a member" in str(exc.value)
    with pytest.raises(DomainError) as exc:
        services.join_union(admin, worker, joint, joined_on=TODAY - dt.timedelta(days=10))
    assert "joined_on" in exc.value.fields
    services.join_union(admin, worker, joint, joined_on=TODAY)
    assert list(
        PlatformMembership.objects.filter(worker=worker, left_on__isnull=True).values_list("union", flat=True)
    ) == [joint.pk]


def test_official_of_another_union_cannot_enrol_or_end(admin, town, ride, industry, other_union):
    worker = register(admin, town, [ride], union=industry, joined_on=TODAY)
    stranger = principal_for_user(user_with_role(Role.UNION_OFFICIAL, other_union.organisation))
    with pytest.raises(NotAllowed):
        services.leave_union(stranger, worker, left_on=TODAY)
    with pytest.raises(NotAllowed):
        services.join_union(stranger, worker, industry, joined_on=TODAY)


# Scoping -------------------------------------------------------------------------------------------


def test_scoping(admin, official, fed_official, ent_hr_a, town, town2, ride, industry, other_union):
    ours = register(admin, town, [ride], union=industry, joined_on=TODAY)
    theirs = register(admin, town2, [ride], union=other_union, joined_on=TODAY)

    def seen(user):
        return set(PlatformWorker.objects.visible_to(principal_for_user(user)))

    assert seen(official) == {ours}
    # The federation: the unions below it, and the workers of its area.
    assert ours in seen(fed_official)
    assert seen(ent_hr_a) == set()
    assert seen(user_with_role(Role.MEDIATOR)) == set()
    assert set(PlatformWorker.objects.visible_to(admin)) == {ours, theirs}
    # A platform company's HR does not see the union's member list either.
    ride.enterprise = ent_hr_a.memberships.first().organisation.enterprise
    ride.save()
    assert seen(ent_hr_a) == set()


# Figures -------------------------------------------------------------------------------------------


def test_figures_by_platform_and_town(admin, town, town2, ride, food, industry, joint):
    year = TODAY.year
    register(admin, town, [ride, food], union=industry, joined_on=TODAY)
    register(admin, town, [ride], union=joint, joined_on=dt.date(year - 1, 3, 1), occupation="driver")
    left = register(admin, town2, [food], union=industry, joined_on=dt.date(year - 1, 5, 1))
    services.leave_union(admin, left, left_on=TODAY)
    register(admin, town2, [food])  # registered, never joined

    tables = {t["key"]: t for t in selectors.newforms_figures(admin, year)}
    assert set(tables) == {
        "newforms_by_platform",
        "newforms_by_town",
        "newforms_by_occupation",
        "newforms_by_relationship",
    }
    by_platform = {row[0]: row[1:] for row in tables["newforms_by_platform"]["rows"]}
    # members on the day, joined in the year, left in the year; the leaver left today (still counted
    # on no day after it).
    assert by_platform["畅行出行"] == [2, 1, 0]
    assert by_platform["快送外卖"] == [1, 1, 1]
    total = tables["newforms_by_platform"]["rows"][-1]
    assert total[1:] == [2, 1, 1]  # the worker on two platforms counts once
    by_town = {row[0]: row[1:] for row in tables["newforms_by_town"]["rows"]}
    assert by_town["雒容镇"] == [2, 1, 0] and by_town["洛埠镇"] == [0, 0, 1]
    # Last year: the two who joined then were members on 31 December.
    last = {t["key"]: t for t in selectors.newforms_figures(admin, year - 1)}
    assert last["newforms_by_town"]["rows"][-1][1:] == [2, 2, 0]
    # One town.
    only = {t["key"]: t for t in selectors.newforms_figures(admin, year, town2)}
    assert only["newforms_by_town"]["rows"][-1][1:] == [0, 0, 1]


def test_figures_follow_the_scope(admin, official, town, ride, industry, other_union):
    register(admin, town, [ride], union=industry, joined_on=TODAY)
    register(admin, town, [ride], union=other_union, joined_on=TODAY)
    mine = selectors.newforms_figures(principal_for_user(official), TODAY.year)
    assert mine[0]["rows"][-1][1] == 1
    assert selectors.newforms_figures(admin, TODAY.year)[0]["rows"][-1][1] == 2


# The union figures page, with every module's tables ------------------------------------------------


def fake_union_figures(principal, year, town=None):
    return [
        {
            "key": "fake_aid",
            "title": f"Aid paid in {year}",
            "columns": ["Kind", "Amount"],
            "rows": [["Spring Festival visit", 1200], ["Town", getattr(town, "name", "all")]],
        }
    ]


@pytest.fixture
def en_admin(client, park_admin):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(park_admin)
    return client


def test_figures_page_shows_the_modules_tables_by_year_and_town(
    en_admin, monkeypatch, town, ride, industry, admin
):
    register(admin, town, [ride], union=industry, joined_on=TODAY)
    config = django_apps.get_app_config("enterprises")
    monkeypatch.setattr(
        config, "union_figures", "tests.unions.test_newforms.fake_union_figures", raising=False
    )
    year = TODAY.year - 1
    response = en_admin.get("/unions/figures/", {"year": year, "town": str(town.pk)})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Aid paid in {year}" in body and "Spring Festival visit" in body and "雒容镇" in body
    assert 'data-testid="figures-newforms_by_platform"' in body
    assert 'data-testid="figures-fake_aid"' in body
    # Bad input falls back to this year and every town.
    response = en_admin.get("/unions/figures/", {"year": "abc", "town": "nope"})
    assert response.status_code == 200
    assert f"Aid paid in {TODAY.year}" in response.content.decode()
    response = en_admin.get("/unions/figures/", {"year": "1900"})
    assert f"Aid paid in {TODAY.year}" in response.content.decode()


def test_module_figures_reads_every_provider(monkeypatch, admin):
    config = django_apps.get_app_config("enterprises")
    monkeypatch.setattr(
        config, "union_figures", "tests.unions.test_newforms.fake_union_figures", raising=False
    )
    keys = [t["key"] for t in selectors.module_figures(admin, TODAY.year)]
    assert "fake_aid" in keys and "newforms_by_platform" in keys


def keyed_union_figures(principal, year, town=None):
    """A provider whose columns are {"key", "label"} and whose rows are dicts (as assistance,
    legal aid and appeals write them)."""
    return [
        {
            "key": "keyed",
            "title": "Keyed",
            "columns": [{"key": "label", "label": "Kind"}, {"key": "count", "title": "Requests"}],
            "rows": [{"count": 3, "label": "Advice"}, {"label": "Total"}],
        }
    ]


def test_module_figures_reads_keyed_columns_and_dict_rows(monkeypatch, admin):
    config = django_apps.get_app_config("enterprises")
    monkeypatch.setattr(
        config, "union_figures", "tests.unions.test_newforms.keyed_union_figures", raising=False
    )
    (table,) = [t for t in selectors.module_figures(admin, TODAY.year) if t["key"] == "keyed"]
    assert table["columns"] == ["Kind", "Requests"]
    assert table["rows"] == [["Advice", 3], ["Total", ""]]


# Pages ---------------------------------------------------------------------------------------------


def test_pages_register_list_detail_join_leave(client, official, industry, joint, town, ride):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(official)
    number = id_number()
    response = client.post(
        "/unions/new-employment/new/",
        {
            "name": "黄师傅",
            "id_number": number,
            "phone": "13900002222",
            "town": str(town.pk),
            "occupation": "driver",
            "platforms": [str(ride.pk)],
            "relationship": "independent",
            "union": str(industry.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    worker = PlatformWorker.objects.get(name="黄师傅")
    body = client.get("/unions/new-employment/").content.decode()
    assert "黄师傅" in body and number not in body and number[:4] + "*" in body
    detail = client.get(f"/unions/new-employment/{worker.pk}/").content.decode()
    assert number not in detail and "civil law" in detail
    # Join the federation? an enterprise union is not offered; join the industry union.
    response = client.post(
        f"/unions/new-employment/{worker.pk}/join/",
        {"union": str(industry.pk), "joined_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    response = client.post(
        f"/unions/new-employment/{worker.pk}/join/",
        {"union": str(industry.pk), "joined_on": TODAY.isoformat()},
    )
    assert response.status_code == 400  # already a member: the form, not a 500
    response = client.post(f"/unions/new-employment/{worker.pk}/leave/", {"left_on": "2000-01-01"})
    assert response.status_code == 400 and "before the date of joining" in response.content.decode()
    response = client.post(f"/unions/new-employment/{worker.pk}/leave/", {"left_on": TODAY.isoformat()})
    assert response.status_code == 302
    # Filters and export.
    assert "黄师傅" in client.get("/unions/new-employment/", {"relationship": "independent"}).content.decode()
    assert (
        "黄师傅" not in client.get("/unions/new-employment/", {"relationship": "not_fully"}).content.decode()
    )
    assert "黄师傅" not in client.get("/unions/new-employment/", {"member": "true"}).content.decode()
    assert client.get("/unions/new-employment/", {"town": "bad"}).status_code == 200
    export = client.get("/unions/new-employment/export/", {"platform": str(ride.pk)})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_registration_form_keeps_input_on_refusal(client, official, industry, town, ride):
    client.force_login(official)
    response = client.post(
        "/unions/new-employment/new/",
        {
            "name": "黄师傅",
            "id_number": "450206199001011234",
            "town": str(town.pk),
            "occupation": "driver",
            "platforms": [str(ride.pk)],
            "relationship": "independent",
            "union": str(industry.pk),
        },
    )
    assert response.status_code == 200
    assert "黄师傅" in response.content.decode()
    assert not PlatformWorker.objects.exists()


def test_pages_scoping(client, admin, ent_hr_a, other_union, town, ride, official, industry):
    theirs = register(admin, town, [ride], union=other_union, joined_on=TODAY)
    client.force_login(ent_hr_a)
    assert client.get("/unions/new-employment/").status_code == 403
    assert client.get(f"/unions/new-employment/{theirs.pk}/").status_code == 403
    client.force_login(official)
    assert client.get(f"/unions/new-employment/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/unions/new-employment/{theirs.pk}/leave/", {"left_on": TODAY.isoformat()}).status_code
        == 404
    )


# API -----------------------------------------------------------------------------------------------


def test_api_masks_unless_personal_data_read(client, api_client_factory, admin, town, ride, industry):
    worker = register(admin, town, [ride], union=industry, joined_on=TODAY)
    _c, reader = api_client_factory(name="读", scopes=["unions:read"])
    _c, full = api_client_factory(name="全", scopes=["unions:read", "personal_data:read"])
    listed = client.get(API, **bearer(reader)).json()["results"][0]
    assert listed["id_number"] != worker.id_number and listed["id_number_full"] is False
    assert listed["membership"]["union"]["id"] == str(industry.pk)
    assert listed["relationship"] == "not_fully" and "56号" in listed["relationship_source"]
    assert client.get(f"{API}{worker.pk}/", **bearer(reader)).json()["id_number_full"] is False
    # Full in the detail with personal_data:read (audited), never in the list.
    assert client.get(API, **bearer(full)).json()["results"][0]["id_number_full"] is False
    detail = client.get(f"{API}{worker.pk}/", **bearer(full)).json()
    assert detail["id_number"] == worker.id_number and detail["id_number_full"] is True
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW, object_id=str(worker.pk)).exists()


def test_api_register_join_leave_and_bad_input(
    client, api_client_factory, town, ride, food, industry, enterprise_union
):
    _c, reader = api_client_factory(name="读", scopes=["unions:read"])
    _c, writer = api_client_factory(name="写", scopes=["unions:read", "unions:write"])
    payload = {
        "name": "陆骑手",
        "id_number": id_number(),
        "town": str(town.pk),
        "occupation": "rider",
        "relationship": "not_fully",
        "platforms": [str(food.pk)],
    }
    assert client.post(API, payload, content_type=JSON, **bearer(reader)).status_code == 403
    response = client.post(API, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["membership"] is None
    # Duplicate ID number, bad choices: 400 with field errors.
    again = client.post(API, payload, content_type=JSON, **bearer(writer))
    assert again.status_code == 400 and "id_number" in again.json()["error"]["fields"]
    bad = client.post(
        API, payload | {"occupation": "pilot", "platforms": []}, content_type=JSON, **bearer(writer)
    )
    assert bad.status_code == 400
    refused = client.post(
        f"{API}{pk}/join/",
        {"union": str(enterprise_union.pk), "joined_on": TODAY.isoformat()},
        content_type=JSON,
        **bearer(writer),
    )
    assert refused.status_code == 400
    assert "Trade Union Law art. 11" in refused.json()["error"]["fields"]["union"][0]
    joined = client.post(
        f"{API}{pk}/join/",
        {"union": str(industry.pk), "joined_on": TODAY.isoformat()},
        content_type=JSON,
        **bearer(writer),
    )
    assert joined.status_code == 200 and joined.json()["membership"]["union"]["id"] == str(industry.pk)
    twice = client.post(
        f"{API}{pk}/join/",
        {"union": str(industry.pk), "joined_on": TODAY.isoformat()},
        content_type=JSON,
        **bearer(writer),
    )
    assert twice.status_code == 400
    left = client.post(
        f"{API}{pk}/leave/", {"left_on": TODAY.isoformat()}, content_type=JSON, **bearer(writer)
    )
    assert left.status_code == 200 and left.json()["membership"] is None
    # Filters: malformed parameters are a 400; platform and member filters work.
    assert client.get(API, {"town": "x"}, **bearer(reader)).status_code == 400
    assert client.get(API, {"platform": str(food.pk)}, **bearer(reader)).json()["results"][0]["id"] == pk
    assert client.get(API, {"platform": str(ride.pk)}, **bearer(reader)).json()["results"] == []
    assert client.get(API, {"member": "true"}, **bearer(reader)).json()["results"] == []


def test_api_area_restricted_client(client, api_client_factory, admin, town, town2, ride, industry):
    register(admin, town, [ride])
    elsewhere = register(admin, town2, [ride])
    _c, key = api_client_factory(name="镇", scopes=["unions:read"], area=town2)
    assert [r["id"] for r in client.get(API, **bearer(key)).json()["results"]] == [str(elsewhere.pk)]


def test_list_page_queries_do_not_grow_with_rows(client, park_admin, admin, town, ride, food, industry):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(park_admin)
    register(admin, town, [ride, food], union=industry, joined_on=TODAY)
    client.get("/unions/new-employment/")  # the session's first request loads more
    with CaptureQueriesContext(connection) as few:
        assert client.get("/unions/new-employment/").status_code == 200
    for _ in range(5):
        register(admin, town, [ride], union=industry, joined_on=TODAY)
    with CaptureQueriesContext(connection) as more:
        assert client.get("/unions/new-employment/").status_code == 200
    assert len(more) == len(few)


def test_an_industry_union_covers_no_enterprises(admin, federation, ent_a):
    with pytest.raises(DomainError) as exc:
        services.create_union(
            admin, name="快递行业工会", kind="industry", parent=federation, enterprises=[ent_a]
        )
    assert "industry union" in str(exc.value.fields["enterprises"][0])
    union = services.create_union(admin, name="快递行业工会", kind="industry", parent=federation)
    assert union.kind == Union.Kind.INDUSTRY
