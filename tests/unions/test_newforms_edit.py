"""Correcting a registered platform worker (issue 19): `update_platform_worker` with its audit
(never the ID number), the permission (the registering union, its federation, the park), the
"Edit" page and `PATCH /api/v1/new-employment-workers/{id}/`."""

import pytest
from django.utils import translation

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed
from apps.core.personal_data import lookup_hash
from apps.core.principal import principal_for_user
from apps.unions import services
from apps.unions.models import Platform, PlatformWorker
from tests.factories import user_with_role
from tests.unions import test_newforms as nf
from tests.unions.test_newforms import API, JSON, bearer, id_number, register

# The fixtures of the registration tests (assigned, so pytest finds them here too).
admin, federation, fed_official, food, industry = (
    nf.admin,
    nf.federation,
    nf.fed_official,
    nf.food,
    nf.industry,
)
official, other_union, ride, town, town2 = nf.official, nf.other_union, nf.ride, nf.town, nf.town2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def worker(official, industry, town, ride):
    return register(principal_for_user(official), town, [ride], union=industry)


def _edit_url(worker):
    return f"/unions/new-employment/{worker.pk}/edit/"


def test_update_with_audit_without_the_id_number(official, worker, town2, food):
    old_number = worker.id_number
    new_number = id_number("19881120")
    updated = services.update_platform_worker(
        principal_for_user(official),
        worker,
        name="王晓明",
        id_number=new_number,
        phone="13900003333",
        town=town2,
        occupation="courier",
        relationship="labour_contract",
        platforms=[food],
    )
    fresh = PlatformWorker.objects.get(pk=worker.pk)
    assert updated.pk == fresh.pk
    assert (fresh.name, fresh.phone, fresh.town, fresh.occupation, fresh.relationship) == (
        "王晓明",
        "13900003333",
        town2,
        "courier",
        "labour_contract",
    )
    assert fresh.id_number == new_number and fresh.id_number_hash == lookup_hash(new_number)
    assert list(fresh.platforms.all()) == [food]
    event = AuditEvent.objects.get(action="unions.update_platform_worker", object_id=str(worker.pk))
    text = str(event.before) + str(event.after)
    assert new_number not in text and old_number not in text
    assert "id_number_hash" not in event.after and "id_number" not in event.after
    assert event.before["name"] == "王小明" and event.after["name"] == "王晓明"
    assert event.after["id_number_changed"] is True
    assert event.after["platforms"] == [str(food.pk)]


def test_partial_update_and_no_change_no_audit(official, worker, ride):
    principal = principal_for_user(official)
    services.update_platform_worker(principal, worker, phone="13700004444", id_number="")
    fresh = PlatformWorker.objects.get(pk=worker.pk)
    assert fresh.phone == "13700004444" and fresh.name == "王小明" and fresh.id_number == worker.id_number
    events = AuditEvent.objects.filter(action="unions.update_platform_worker")
    assert events.count() == 1 and set(events.get().after) == {"phone"}
    # The same number again, the same values: nothing to record.
    services.update_platform_worker(principal, fresh, id_number=fresh.id_number, phone="13700004444")
    assert events.count() == 1


def test_duplicate_and_bad_input_refused(admin, official, worker, town, ride):
    other = register(admin, town, [ride])
    principal = principal_for_user(official)
    with pytest.raises(DomainError) as exc:
        services.update_platform_worker(principal, worker, id_number=other.id_number)
    assert "already registered" in str(exc.value.fields["id_number"][0])
    with pytest.raises(DomainError) as exc:
        services.update_platform_worker(
            principal, worker, name=" ", id_number="123", occupation="pilot", platforms=[], phone="12"
        )
    assert set(exc.value.fields) == {"name", "id_number", "occupation", "platforms", "phone"}
    fresh = PlatformWorker.objects.get(pk=worker.pk)
    assert fresh.name == "王小明" and fresh.id_number == worker.id_number
    gone = Platform.objects.create(name="停运平台", kind=Platform.Kind.OTHER, is_active=False)
    with pytest.raises(DomainError) as exc:
        services.update_platform_worker(principal, worker, platforms=[gone])
    assert "platforms" in exc.value.fields
    assert not AuditEvent.objects.filter(action="unions.update_platform_worker").exists()


def test_who_may_correct(worker, fed_official, other_union, admin, ent_hr_a):
    services.update_platform_worker(principal_for_user(fed_official), worker, phone="13600005555")
    services.update_platform_worker(admin, worker, phone="13600006666")
    stranger = user_with_role(Role.UNION_OFFICIAL, other_union.organisation)
    for user in (stranger, ent_hr_a):
        with pytest.raises(NotAllowed):
            services.update_platform_worker(principal_for_user(user), worker, phone="13600007777")
    assert PlatformWorker.objects.get(pk=worker.pk).phone == "13600006666"


# Pages ---------------------------------------------------------------------------------------------


def test_edit_page_prefilled_and_saves(client, official, worker, town2, food):
    client.force_login(official)
    detail = client.get(f"/unions/new-employment/{worker.pk}/").content.decode()
    assert _edit_url(worker) in detail
    page = client.get(_edit_url(worker))
    body = page.content.decode()
    assert page.status_code == 200 and 'value="王小明"' in body and 'value="13800001111"' in body
    assert worker.id_number not in body  # never prefilled
    response = client.post(
        _edit_url(worker),
        {
            "name": "王晓明",
            "id_number": "",
            "phone": "13800001111",
            "town": str(town2.pk),
            "occupation": "courier",
            "platforms": [str(food.pk)],
            "relationship": "not_fully",
        },
    )
    assert response.status_code == 302
    fresh = PlatformWorker.objects.get(pk=worker.pk)
    assert fresh.name == "王晓明" and fresh.town == town2 and fresh.id_number == worker.id_number


def test_edit_page_form_errors_keep_input(client, admin, official, worker, town, ride):
    other = register(admin, town, [ride])
    client.force_login(official)
    response = client.post(
        _edit_url(worker),
        {
            "name": "王晓明",
            "id_number": other.id_number,
            "phone": "",
            "town": str(town.pk),
            "occupation": "rider",
            "platforms": [str(ride.pk)],
            "relationship": "not_fully",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "is-invalid" in body and "王晓明" in body
    assert "id_number" in response.context["form"].errors
    response = client.post(_edit_url(worker), {"name": "", "town": str(town.pk), "occupation": "rider"})
    assert response.status_code == 400
    assert PlatformWorker.objects.get(pk=worker.pk).name == "王小明"


def test_edit_page_refused_to_others(client, worker, other_union, ent_hr_a, admin, town, ride):
    stranger = user_with_role(Role.UNION_OFFICIAL, other_union.organisation)
    client.force_login(ent_hr_a)
    assert client.get(_edit_url(worker)).status_code == 403
    client.force_login(stranger)
    assert client.get(_edit_url(worker)).status_code == 404
    assert client.post(_edit_url(worker), {"name": "x"}).status_code == 404
    # The same official corrects the workers their own union registered (the link shows).
    theirs = register(admin, town, [ride], union=other_union)
    assert _edit_url(theirs) in client.get(f"/unions/new-employment/{theirs.pk}/").content.decode()
    assert client.get(_edit_url(theirs)).status_code == 200


def test_no_edit_link_for_viewer_who_may_not_edit(client, fed_official, admin, town, ride, other_union):
    # The federation's officials see every worker of its area, but correct only their unions' ones.
    theirs = register(admin, town, [ride], union=other_union)
    client.force_login(fed_official)
    detail = client.get(f"/unions/new-employment/{theirs.pk}/")
    assert detail.status_code == 200
    assert _edit_url(theirs) not in detail.content.decode()
    assert client.get(_edit_url(theirs)).status_code == 403


# API -----------------------------------------------------------------------------------------------


def test_api_patch_ok_and_400(client, api_client_factory, admin, worker, town, ride, food):
    _c, reader = api_client_factory(name="读", scopes=["unions:read"])
    _c, writer = api_client_factory(name="写", scopes=["unions:read", "unions:write"])
    url = f"{API}{worker.pk}/"
    assert client.patch(url, {"phone": "13500001111"}, content_type=JSON, **bearer(reader)).status_code == 403
    ok = client.patch(
        url, {"name": "王晓明", "platforms": [str(food.pk)]}, content_type=JSON, **bearer(writer)
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["name"] == "王晓明" and [p["id"] for p in ok.json()["platforms"]] == [str(food.pk)]
    assert PlatformWorker.objects.get(pk=worker.pk).occupation == "rider"  # not sent: unchanged
    other = register(admin, town, [ride])
    dup = client.patch(url, {"id_number": other.id_number}, content_type=JSON, **bearer(writer))
    assert dup.status_code == 400 and "already registered" in dup.json()["error"]["fields"]["id_number"][0]
    bad = client.patch(url, {"occupation": "pilot", "name": ""}, content_type=JSON, **bearer(writer))
    assert bad.status_code == 400 and {"occupation", "name"} <= set(bad.json()["error"]["fields"])
    bad_number = client.patch(url, {"id_number": "123"}, content_type=JSON, **bearer(writer))
    assert bad_number.status_code == 400 and "id_number" in bad_number.json()["error"]["fields"]
    assert client.put(url, {"name": "x"}, content_type=JSON, **bearer(writer)).status_code == 405
    assert PlatformWorker.objects.get(pk=worker.pk).name == "王晓明"


def test_api_patch_area_client_404_outside(client, api_client_factory, worker, town2):
    _c, key = api_client_factory(name="镇", scopes=["unions:read", "unions:write"], area=town2)
    response = client.patch(f"{API}{worker.pk}/", {"phone": "13500002222"}, content_type=JSON, **bearer(key))
    assert response.status_code == 404
