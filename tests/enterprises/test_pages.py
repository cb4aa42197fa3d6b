"""Registry pages: list with filters, profile, forms; scoping (404) and permissions (403)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from apps.enterprises.models import Enterprise
from tests.factories import (
    EnterpriseFactory,
    SurveyFactory,
    TownFactory,
    UnionFactory,
    user_with_role,
    valid_uscc,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, park_admin):
    client.force_login(park_admin)
    return client


def names(response):
    return [e.name for e in response.context["page"]]


class TestList:
    def test_filters_search_and_sort(self, admin_client):
        town = TownFactory(name="雒容镇")
        big = EnterpriseFactory(name="柳州大制造有限公司", employees=1500, town=town)
        small = EnterpriseFactory(name="柳州小物流有限公司", employees=15, industry="G")
        SurveyFactory(enterprise=big, employees=1500, union_members=900)
        url = reverse("enterprises:list")
        assert names(admin_client.get(url, {"industry": "G"})) == [small.name]
        assert names(admin_client.get(url, {"search": "大制造"})) == [big.name]
        assert names(admin_client.get(url, {"search": big.uscc[:10].lower()})) == [big.name]
        assert names(admin_client.get(url, {"town": town.code})) == [big.name]
        assert names(admin_client.get(url, {"size": "large"})) == [big.name]
        assert names(admin_client.get(url, {"needs_union": "true"})) == [big.name]
        assert names(admin_client.get(url, {"has_union": "false", "ordering": "-employees"})) == [
            big.name,
            small.name,
        ]
        assert names(admin_client.get(url, {"ordering": "employees"})) == [small.name, big.name]

    def test_invalid_filter_is_reported_not_a_500(self, admin_client):
        EnterpriseFactory()
        response = admin_client.get(reverse("enterprises:list"), {"industry": "ZZ", "page": "abc"})
        assert response.status_code == 200
        assert names(response) == []
        assert response.context["filter"].errors

    def test_query_count_does_not_grow_with_rows(self, admin_client):
        def count_queries():
            with CaptureQueriesContext(connection) as ctx:
                assert admin_client.get(reverse("enterprises:list")).status_code == 200
            return len(ctx)

        for _ in range(3):
            SurveyFactory(enterprise=EnterpriseFactory())
        count_queries()  # the first page of a session fills the caches (permissions, memberships)
        few = count_queries()
        for i in range(30):
            e = EnterpriseFactory()
            SurveyFactory(enterprise=e)
            if i % 3 == 0:
                UnionFactory(enterprises=[e])
        assert count_queries() == few

    def test_hr_sees_only_their_enterprise(self, client, ent_hr_a, ent_a, ent_b):
        client.force_login(ent_hr_a)
        response = client.get(reverse("enterprises:list"))
        assert names(response) == [ent_a.name]
        assert b"enterprise-import" not in response.content


class TestProfile:
    def test_dossier_shows_registry_survey_and_sections(self, admin_client, ent_a):
        SurveyFactory(enterprise=ent_a, year=2024, union_members=20)
        SurveyFactory(enterprise=ent_a, year=2025, union_members=30)
        response = admin_client.get(reverse("enterprises:detail", args=[ent_a.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert ent_a.uscc in html
        assert 'data-testid="survey-history"' in html
        assert 'data-testid="needs-union-badge"' in html
        keys = [s["key"] for s in response.context["sections"]]
        assert keys[:13] == [
            "registry",
            "surveys",
            "union",
            "collective_contracts",
            "congresses",
            "certification",
            "contracts",
            "disputes",
            "inspections",
            "hardship",
            "legal_aid",
            "appeals",
            "risk",
        ]

    def test_hr_of_a_gets_404_on_b(self, client, ent_hr_a, ent_b):
        client.force_login(ent_hr_a)
        for name in ("enterprises:detail", "enterprises:edit", "enterprises:survey_edit"):
            assert client.get(reverse(name, args=[ent_b.pk])).status_code == 404

    def test_inspector_reads_but_cannot_edit(self, client, ent_a):
        inspector = user_with_role(Role.INSPECTOR)
        client.force_login(inspector)
        assert client.get(reverse("enterprises:edit", args=[ent_a.pk])).status_code == 403
        assert client.get(reverse("enterprises:create")).status_code == 403


class TestForms:
    def form_data(self, town, **over):
        return {
            "uscc": valid_uscc(),
            "name": "柳州表单测试有限公司",
            "town": town.pk,
            "industry": "C",
            "ownership": "private",
            "employees": "50",
            "status": "operating",
        } | over

    def test_create(self, admin_client):
        town = TownFactory()
        response = admin_client.post(reverse("enterprises:create"), self.form_data(town))
        e = Enterprise.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("enterprises:detail", args=[e.pk])

    def test_create_with_bad_check_character_shows_the_reason(self, admin_client):
        town = TownFactory()
        code = valid_uscc()
        bad = code[:17] + ("0" if code[17] != "0" else "1")
        response = admin_client.post(reverse("enterprises:create"), self.form_data(town, uscc=bad))
        assert response.status_code == 200
        errors = response.context["form"].errors["uscc"]
        assert code[17] in errors[0] and "GB 32100-2015" in errors[0]
        assert not Enterprise.objects.exists()

    def test_create_duplicate_names_existing(self, admin_client, ent_a):
        response = admin_client.post(
            reverse("enterprises:create"), self.form_data(ent_a.town, uscc=ent_a.uscc)
        )
        assert ent_a.name in response.context["form"].errors["uscc"][0]

    def test_hr_edit_cannot_touch_uscc_or_status(self, client, ent_hr_a, ent_a):
        client.force_login(ent_hr_a)
        url = reverse("enterprises:edit", args=[ent_a.pk])
        form = client.get(url).context["form"]
        assert form.fields["uscc"].disabled and form.fields["status"].disabled
        data = self.form_data(ent_a.town, name=ent_a.name, status="closed", contact_phone="0772-1234567")
        response = client.post(url, data)
        assert response.status_code == 302
        ent_a.refresh_from_db()
        assert ent_a.status == "operating"
        assert ent_a.uscc != data["uscc"]
        assert ent_a.contact_phone == "0772-1234567"

    def test_survey_form_rejects_more_members_than_employees(self, client, ent_hr_a, ent_a):
        client.force_login(ent_hr_a)
        url = reverse("enterprises:survey_edit", args=[ent_a.pk])
        response = client.post(url, {"year": 2025, "employees": 10, "union_members": 11})
        assert "union_members" in response.context["form"].errors
        assert not ent_a.surveys.exists()
        response = client.post(url, {"year": 2025, "employees": 10, "union_members": 9, "has_union": "on"})
        assert response.status_code == 302
        assert ent_a.surveys.get().has_union is True
