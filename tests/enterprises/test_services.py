"""Registry rules: USCC validation, who may change what, surveys, the art. 11 flag, scoping."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import principal_for_api_client, principal_for_user
from apps.enterprises import selectors, services
from apps.enterprises.models import Enterprise
from tests.factories import (
    AreaFactory,
    EnterpriseFactory,
    OrganisationFactory,
    SurveyFactory,
    TownFactory,
    UnionFactory,
    user_with_role,
    valid_uscc,
)

pytestmark = pytest.mark.django_db


def admin_p(user):
    return principal_for_user(user)


def new_data(town, **over):
    return {
        "uscc": valid_uscc(),
        "name": "柳州新测试科技有限公司",
        "town": town,
        "industry": "C",
        "ownership": "private",
        "employees": 120,
    } | over


class TestUscc:
    def test_valid_code_is_normalised(self):
        code = valid_uscc()
        assert services.normalize_uscc(f" {code[:6].lower()} {code[6:]} ") == code

    def test_wrong_check_character_names_the_right_one(self):
        code = valid_uscc()
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        with pytest.raises(DomainError) as exc:
            services.normalize_uscc(wrong)
        assert exc.value.field == "uscc"
        assert f"“{code[17]}”" in str(exc.value.message)
        assert "GB 32100-2015" in str(exc.value.source)

    @pytest.mark.parametrize("value", ["91450271MA5L0C9X1", "91450271MA5L0C9X1QQ"])
    def test_wrong_length(self, value):
        with pytest.raises(DomainError, match="18"):
            services.normalize_uscc(value)

    def test_forbidden_characters(self):
        # I, O, S, V, Z never occur in a USCC.
        with pytest.raises(DomainError) as exc:
            services.normalize_uscc("91450271MA5L0C9XIO")
        assert exc.value.field == "uscc"

    def test_blank(self):
        with translation.override("en"), pytest.raises(DomainError, match="required"):
            services.normalize_uscc("")

    def test_message_is_in_the_users_language(self):
        with translation.override("zh-hans"), pytest.raises(DomainError) as exc:
            services.normalize_uscc("123")
        assert "统一社会信用代码" in str(exc.value.message)


class TestCreate:
    def test_admin_registers_with_organisation_and_audit(self, park_admin):
        town = TownFactory()
        e = services.create_enterprise(admin_p(park_admin), **new_data(town))
        assert e.organisation.kind == Organisation.Kind.ENTERPRISE
        assert (e.organisation.name, e.organisation.code, e.organisation.area) == (e.name, e.uscc, town)
        assert AuditEvent.objects.filter(action="enterprises.create", object_id=str(e.pk)).exists()

    def test_duplicate_names_the_existing_enterprise(self, park_admin, ent_a):
        with pytest.raises(DomainError) as exc:
            services.create_enterprise(admin_p(park_admin), **new_data(ent_a.town, uscc=ent_a.uscc))
        assert ent_a.name in exc.value.fields["uscc"][0]
        assert Enterprise.objects.count() == 1

    def test_every_field_error_at_once(self, park_admin):
        town = AreaFactory(kind="district", code="450200")
        future = timezone.localdate() + dt.timedelta(days=1)
        with pytest.raises(DomainError) as exc:
            services.create_enterprise(
                admin_p(park_admin),
                **new_data(town, uscc="123", industry="Z", established_on=future, employees=-1, name=""),
            )
        assert set(exc.value.fields) == {"uscc", "town", "industry", "established_on", "employees", "name"}
        assert not Enterprise.objects.exists()

    def test_hr_cannot_register(self, ent_hr_a, ent_a):
        with pytest.raises(NotAllowed):
            services.create_enterprise(principal_for_user(ent_hr_a), **new_data(ent_a.town))

    def test_api_client_needs_write_scope_and_stays_in_its_area(self, api_client_factory):
        town, other = TownFactory(), TownFactory()
        reader, _ = api_client_factory("reader", scopes=["enterprises:read"])
        with pytest.raises(NotAllowed):
            services.create_enterprise(principal_for_api_client(reader), **new_data(town))
        writer, _ = api_client_factory("writer", scopes=["enterprises:write"], area=town)
        with pytest.raises(DomainError) as exc:
            services.create_enterprise(principal_for_api_client(writer), **new_data(other))
        assert "town" in exc.value.fields
        assert services.create_enterprise(principal_for_api_client(writer), **new_data(town)).town == town


class TestUpdate:
    def test_hr_edits_own_contacts(self, ent_hr_a, ent_a):
        e = services.update_enterprise(principal_for_user(ent_hr_a), ent_a, contact_phone="13800000000")
        assert e.contact_phone == "13800000000"
        event = AuditEvent.objects.get(action="enterprises.update", object_id=str(ent_a.pk))
        assert event.after == {"contact_phone": "13800000000"}

    @pytest.mark.parametrize("field,value", [("status", "closed"), ("uscc", None)])
    def test_hr_cannot_change_controlled_fields(self, ent_hr_a, ent_a, field, value):
        value = value or valid_uscc()
        with pytest.raises(DomainError) as exc:
            services.update_enterprise(principal_for_user(ent_hr_a), ent_a, **{field: value})
        assert field in exc.value.fields
        ent_a.refresh_from_db()
        assert getattr(ent_a, field) != value

    def test_hr_of_another_enterprise_is_refused(self, ent_hr_b, ent_a):
        with pytest.raises(NotAllowed):
            services.update_enterprise(principal_for_user(ent_hr_b), ent_a, contact_phone="1")

    def test_admin_changes_status_and_name_and_the_organisation_follows(self, park_admin, ent_a):
        e = services.update_enterprise(
            admin_p(park_admin), ent_a, status="moved_out", name="柳州甲新名称有限公司"
        )
        e.organisation.refresh_from_db()
        assert e.organisation.name == "柳州甲新名称有限公司"
        assert e.organisation.is_active is False

    def test_admin_cannot_take_another_enterprises_code(self, park_admin, ent_a, ent_b):
        with pytest.raises(DomainError, match=ent_b.name):
            services.update_enterprise(admin_p(park_admin), ent_a, uscc=ent_b.uscc)

    def test_no_change_writes_nothing(self, park_admin, ent_a):
        services.update_enterprise(admin_p(park_admin), ent_a, name=ent_a.name)
        assert not AuditEvent.objects.filter(action="enterprises.update").exists()


class TestSurvey:
    def survey(self, **over):
        return {
            "year": 2025,
            "employees": 100,
            "union_members": 80,
            "women": 40,
            "migrant_workers": 30,
        } | over

    def test_record_and_replace_keeps_one_per_year(self, ent_hr_a, ent_a):
        p = principal_for_user(ent_hr_a)
        services.record_survey(p, ent_a, **self.survey())
        services.record_survey(p, ent_a, **self.survey(employees=110))
        assert ent_a.surveys.count() == 1
        ent_a.refresh_from_db()
        assert ent_a.latest_survey.employees == 110
        assert ent_a.employees == 110

    def test_an_older_year_does_not_replace_the_latest(self, park_admin, ent_a):
        p = admin_p(park_admin)
        services.record_survey(p, ent_a, **self.survey(year=2025, employees=100))
        services.record_survey(p, ent_a, **self.survey(year=2024, employees=90, union_members=50))
        ent_a.refresh_from_db()
        assert (ent_a.latest_survey.year, ent_a.employees) == (2025, 100)
        assert list(ent_a.surveys.values_list("year", flat=True)) == [2025, 2024]

    @pytest.mark.parametrize(
        "over,field",
        [
            ({"union_members": 101}, "union_members"),
            ({"women": 101}, "women"),
            ({"migrant_workers": 101}, "migrant_workers"),
            ({"employees": -1}, "employees"),
            ({"contract_signing_rate": "100.5"}, "contract_signing_rate"),
            ({"contract_signing_rate": "abc"}, "contract_signing_rate"),
            ({"year": 1999}, "year"),
        ],
    )
    def test_bad_values(self, park_admin, ent_a, over, field):
        with pytest.raises(DomainError) as exc:
            services.record_survey(admin_p(park_admin), ent_a, **self.survey(**over))
        assert field in exc.value.fields
        assert not ent_a.surveys.exists()

    def test_future_year_refused(self, park_admin, ent_a):
        with pytest.raises(DomainError):
            services.record_survey(
                admin_p(park_admin), ent_a, **self.survey(year=timezone.localdate().year + 1)
            )

    def test_hr_of_another_enterprise_refused(self, ent_hr_b, ent_a):
        with pytest.raises(NotAllowed):
            services.record_survey(principal_for_user(ent_hr_b), ent_a, **self.survey())


class TestUnionFlag:
    """Trade Union Law art. 11: 25 or more members need a union committee of their own."""

    def flags(self, user):
        return {e.pk: (e.has_union, e.needs_union) for e in selectors.enterprises_visible_to(admin_p(user))}

    def test_threshold_is_25(self, park_admin):
        at, below = EnterpriseFactory(), EnterpriseFactory()
        SurveyFactory(enterprise=at, union_members=25)
        SurveyFactory(enterprise=below, union_members=24)
        flags = self.flags(park_admin)
        assert flags[at.pk] == (False, True)
        assert flags[below.pk] == (False, False)

    def test_own_union_clears_the_flag_a_joint_union_does_not(self, park_admin):
        own, joint, small = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
        for e in (own, joint):
            SurveyFactory(enterprise=e, union_members=40)
        SurveyFactory(enterprise=small, union_members=5)
        UnionFactory(enterprises=[own])
        UnionFactory(kind="joint", enterprises=[joint, small])
        flags = self.flags(park_admin)
        assert flags[own.pk] == (True, False)
        assert flags[joint.pk] == (True, True)
        assert flags[small.pk] == (True, False)

    def test_an_enterprise_that_moved_out_is_not_flagged(self, park_admin):
        e = EnterpriseFactory(status="moved_out")
        SurveyFactory(enterprise=e, union_members=30)
        assert self.flags(park_admin)[e.pk] == (False, False)

    def test_inactive_union_does_not_count(self, park_admin):
        e = EnterpriseFactory()
        SurveyFactory(enterprise=e, union_members=30)
        UnionFactory(enterprises=[e], is_active=False)
        assert self.flags(park_admin)[e.pk] == (False, True)


class TestScoping:
    def test_hr_sees_only_own(self, ent_hr_a, ent_a, ent_b):
        assert list(Enterprise.objects.visible_to(principal_for_user(ent_hr_a))) == [ent_a]

    def test_union_official_sees_covered_enterprises(self, ent_a, ent_b):
        union = UnionFactory(enterprises=[ent_a])
        official = user_with_role(Role.UNION_OFFICIAL, union.organisation)
        assert list(Enterprise.objects.visible_to(principal_for_user(official))) == [ent_a]

    def test_district_mediator_sees_the_towns_of_the_district(self, ent_a, ent_b):
        district = AreaFactory(kind="district", code="450271")
        ent_a.town.parent = district
        ent_a.town.save()
        org = OrganisationFactory(kind=Organisation.Kind.MEDIATION, area=district)
        mediator = user_with_role(Role.MEDIATOR, org)
        assert list(Enterprise.objects.visible_to(principal_for_user(mediator))) == [ent_a]

    def test_restricted_api_client(self, api_client_factory, ent_a, ent_b):
        client, _ = api_client_factory("town", scopes=["enterprises:read"], area=ent_b.town)
        assert list(Enterprise.objects.visible_to(principal_for_api_client(client))) == [ent_b]
