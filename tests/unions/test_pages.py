"""The union module's pages: lists, forms that go through the services, scoping (404), permissions
(403), the needs-a-union list, figures and the dossier sections."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.principal import principal_for_user
from apps.enterprises.selectors import get_enterprise
from apps.unions import selectors
from apps.unions.models import CollectiveContract, Union, UnionCoverage, WorkersCongress
from tests.factories import EnterpriseFactory, SurveyFactory, TownFactory, UnionFactory, user_with_role

from .test_services import contract_data, make_contract

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def en(client):
    """The test client, with pages in English (the msgids) so assertions read the source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin_client(en, park_admin):
    en.force_login(park_admin)
    return en


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def form_post(data: dict) -> dict:
    """Dates as the browser sends them; None left out."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items() if v is not None}


# Union list, detail and form ---------------------------------------------------------------------------


def test_union_list_shows_the_columns_and_links(admin_client, ent_a, ent_b):
    federation = UnionFactory(kind=Union.Kind.FEDERATION, name="园区总工会", members=0)
    UnionFactory(
        name="甲乙联合工会",
        kind=Union.Kind.JOINT,
        parent=federation,
        members=57,
        women_committee=True,
        enterprises=[ent_a, ent_b],
    )
    html = page(admin_client.get(reverse("unions:list")))
    assert "甲乙联合工会" in html and "园区总工会" in html
    assert "Joint union of several enterprises" in html
    row = html[html.index("甲乙联合工会") :]
    row = row[: row.index("</tr>")]
    assert ">57<" in row and ">2<" in row and "Yes" in row and "园区总工会" in row
    assert 'data-testid="union-create"' in html
    assert reverse("unions:needs_union") in html and reverse("unions:figures") in html


def test_union_list_search_and_kind_filter(admin_client):
    UnionFactory(name="柳东总工会", kind=Union.Kind.FEDERATION)
    UnionFactory(name="甲企业工会")
    html = page(admin_client.get(reverse("unions:list"), {"q": "总工会"}))
    assert "柳东总工会" in html and "甲企业工会" not in html
    html = page(admin_client.get(reverse("unions:list"), {"kind": "enterprise"}))
    assert "柳东总工会" not in html and "甲企业工会" in html
    html = page(admin_client.get(reverse("unions:list"), {"kind": "bogus", "page": "x"}))
    assert "柳东总工会" in html and "甲企业工会" in html


def test_union_list_paginates_by_50(admin_client):
    for i in range(51):
        UnionFactory(name=f"工会{i:03d}")
    html = page(admin_client.get(reverse("unions:list")))
    assert html.count('data-testid="union-row"') == 50 and "Page 1 of 2" in html
    html = page(admin_client.get(reverse("unions:list"), {"page": 2}))
    assert html.count('data-testid="union-row"') == 1


def test_hr_sees_their_union_without_the_create_button(en, ent_a, ent_b, ent_hr_a):
    UnionFactory(name="甲企业工会", enterprises=[ent_a])
    UnionFactory(name="乙企业工会", enterprises=[ent_b])
    en.force_login(ent_hr_a)
    html = page(en.get(reverse("unions:list")))
    assert "甲企业工会" in html and "乙企业工会" not in html
    assert 'data-testid="union-create"' not in html
    assert 'data-testid="figures-link"' not in html


def test_union_detail_shows_enterprises_children_and_contracts(admin_client, ent_a):
    federation = UnionFactory(kind=Union.Kind.FEDERATION, name="园区总工会")
    union = UnionFactory(name="甲企业工会", parent=federation, members=88, enterprises=[ent_a])
    make_contract(ent_a, union=union, title="甲公司工资专项集体合同")
    html = page(admin_client.get(reverse("unions:detail", args=[union.pk])))
    assert reverse("enterprises:detail", args=[ent_a.pk]) in html and ent_a.name in html
    assert "甲公司工资专项集体合同" in html and "Awaiting filing" in html
    assert ">88<" in html and 'data-testid="union-edit"' in html
    html = page(admin_client.get(reverse("unions:detail", args=[federation.pk])))
    assert "甲企业工会" in html and 'data-testid="union-children"' in html


def test_union_of_another_enterprise_is_404_for_hr(en, ent_a, ent_b, ent_hr_a):
    union_b = UnionFactory(enterprises=[ent_b])
    en.force_login(ent_hr_a)
    assert en.get(reverse("unions:detail", args=[union_b.pk])).status_code == 404
    assert en.get(reverse("unions:detail", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_roles_without_permission_get_403(en, ent_a, ent_hr_a):
    union = UnionFactory(enterprises=[ent_a])
    contract = make_contract(ent_a)
    mediator = user_with_role(Role.MEDIATOR)
    en.force_login(mediator)
    for name, args in [
        ("unions:list", []),
        ("unions:detail", [union.pk]),
        ("unions:needs_union", []),
        ("unions:figures", []),
        ("unions:contract_list", []),
        ("unions:contract_detail", [contract.pk]),
        ("unions:contract_create", []),
        ("unions:congress_create", []),
    ]:
        assert en.get(reverse(name, args=args)).status_code == 403, name
    en.force_login(ent_hr_a)
    assert en.get(reverse("unions:figures")).status_code == 403
    assert en.get(reverse("unions:create")).status_code == 403
    assert en.get(reverse("unions:edit", args=[union.pk])).status_code == 403
    assert (
        en.post(reverse("unions:contract_file", args=[contract.pk]), {"filed_on": TODAY}).status_code == 403
    )
    contract.refresh_from_db()
    assert contract.filed_on is None


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("unions:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_create_union_through_the_form(admin_client, ent_a):
    federation = UnionFactory(kind=Union.Kind.FEDERATION, name="园区总工会")
    html = page(admin_client.get(reverse("unions:create")))
    assert 'name="is_active"' not in html and ent_a.name in html and 'type="date"' in html
    response = admin_client.post(
        reverse("unions:create"),
        {
            "name": "  甲企业工会 ",
            "kind": "enterprise",
            "parent": federation.pk,
            "chair_name": "李慕江",
            "founded_on": "2020-05-01",
            "members": "120",
            "women_committee": "on",
            "enterprises": [ent_a.pk],
        },
    )
    union = Union.objects.get(name="甲企业工会")
    assert response.status_code == 302 and response["Location"] == reverse("unions:detail", args=[union.pk])
    assert union.parent == federation and union.members == 120 and union.women_committee
    assert union.founded_on == dt.date(2020, 5, 1) and union.is_active
    assert UnionCoverage.objects.get(enterprise=ent_a).union == union


def test_joint_union_with_one_enterprise_is_a_form_error_not_a_500(admin_client, ent_a):
    response = admin_client.post(
        reverse("unions:create"),
        {"name": "联合工会", "kind": "joint", "members": "30", "enterprises": [ent_a.pk]},
    )
    html = page(response)
    assert "A joint union covers two or more enterprises (Trade Union Law art. 11)." in html
    assert "is-invalid" in html
    assert not Union.objects.filter(name="联合工会").exists()


def test_union_form_type_errors(admin_client, ent_a):
    response = admin_client.post(
        reverse("unions:create"),
        {"name": "", "kind": "nope", "members": "-3", "founded_on": "2020-13-01", "enterprises": ["bad"]},
    )
    html = page(response)
    assert html.count("invalid-feedback") >= 4
    assert not Union.objects.exists()
    response = admin_client.post(
        reverse("unions:create"),
        {
            "name": "总工会",
            "kind": "federation",
            "members": "0",
            "founded_on": (TODAY + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert "The founding date cannot be in the future." in page(response)


def test_edit_union_through_the_form(admin_client, ent_a, ent_b):
    union = UnionFactory(name="甲企业工会", enterprises=[ent_a])
    html = page(admin_client.get(reverse("unions:edit", args=[union.pk])))
    assert 'name="is_active"' in html and 'value="甲企业工会"' in html
    assert f'value="{ent_a.pk}" selected' in html
    response = admin_client.post(
        reverse("unions:edit", args=[union.pk]),
        {"name": "甲乙联合工会", "kind": "joint", "members": "40", "enterprises": [ent_a.pk, ent_b.pk]},
    )
    assert response.status_code == 302
    union.refresh_from_db()
    assert union.name == "甲乙联合工会" and union.kind == "joint" and not union.is_active
    assert union.coverage.count() == 2


def test_union_official_creates_under_their_federation_and_cannot_edit_other_unions(en, ent_a):
    federation = UnionFactory(kind=Union.Kind.FEDERATION, name="园区总工会")
    federation.organisation.area = ent_a.town  # the federation sees the enterprises of its area
    federation.organisation.save()
    other = UnionFactory(name="别处工会")
    official = user_with_role(Role.UNION_OFFICIAL, federation.organisation)
    en.force_login(official)
    html = page(en.get(reverse("unions:create")))
    assert "园区总工会" in html and "别处工会" not in html
    response = en.post(
        reverse("unions:create"),
        {"name": "甲企业工会", "kind": "enterprise", "members": "30", "enterprises": [ent_a.pk]},
    )
    assert "This field is required." in page(response)  # the parent federation
    response = en.post(
        reverse("unions:create"),
        {
            "name": "甲企业工会",
            "kind": "enterprise",
            "members": "30",
            "parent": federation.pk,
            "enterprises": [ent_a.pk],
        },
    )
    assert response.status_code == 302
    assert Union.objects.get(name="甲企业工会").parent == federation
    assert en.get(reverse("unions:edit", args=[other.pk])).status_code == 404  # not in their scope
    other.organisation.area = ent_a.town  # now seen through the area, but not theirs to manage
    other.organisation.save()
    assert en.get(reverse("unions:detail", args=[other.pk])).status_code == 200
    assert en.get(reverse("unions:edit", args=[other.pk])).status_code == 403
    response = en.post(
        reverse("unions:edit", args=[other.pk]), {"name": "改名", "kind": "enterprise", "members": "1"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name == "别处工会"


def test_union_official_of_an_enterprise_union_may_not_open_the_create_form(en, ent_a):
    union = UnionFactory(enterprises=[ent_a])
    en.force_login(user_with_role(Role.UNION_OFFICIAL, union.organisation))
    assert en.get(reverse("unions:create")).status_code == 403
    assert 'data-testid="union-create"' not in page(en.get(reverse("unions:list")))
    assert en.get(reverse("unions:edit", args=[union.pk])).status_code == 200


# Needs a union (Trade Union Law art. 11) -------------------------------------------------------------


def test_needs_union_list(admin_client):
    flagged = SurveyFactory(
        enterprise=EnterpriseFactory(
            name="无工会三十人公司", contact_name="赵敏", contact_phone="0772-1234567"
        ),
        union_members=30,
        employees=80,
    ).enterprise
    own = SurveyFactory(enterprise=EnterpriseFactory(name="有工会公司"), union_members=30).enterprise
    UnionFactory(enterprises=[own])
    small = SurveyFactory(enterprise=EnterpriseFactory(name="二十四人公司"), union_members=24).enterprise
    closed = SurveyFactory(enterprise=EnterpriseFactory(name="已关闭公司", status="closed"), union_members=40)
    a, b = (SurveyFactory(enterprise=EnterpriseFactory(name=n), union_members=26).enterprise for n in "甲乙")
    UnionFactory(name="甲乙联合工会", kind=Union.Kind.JOINT, enterprises=[a, b])
    html = page(admin_client.get(reverse("unions:needs_union")))
    assert "Trade Union Law art. 11" in html
    assert "无工会三十人公司" in html and "赵敏" in html and "0772-1234567" in html
    row = html[html.index("无工会三十人公司") :]
    row = row[: row.index("</tr>")]
    assert ">30<" in row and ">80<" in row and flagged.town.name in row
    assert "有工会公司" not in html and "二十四人公司" not in html and closed.enterprise.name not in html
    assert "甲乙联合工会" in html  # a joint union is not a committee of its own
    assert html.count('data-testid="needs-union-row"') == 3
    assert small.pk


def test_needs_union_is_scoped_for_hr(en, ent_a, ent_b, ent_hr_a):
    SurveyFactory(enterprise=ent_a, union_members=30)
    SurveyFactory(enterprise=ent_b, union_members=30)
    en.force_login(ent_hr_a)
    html = page(en.get(reverse("unions:needs_union")))
    assert ent_a.name in html and ent_b.name not in html


# Figures ---------------------------------------------------------------------------------------------


def test_figures_page_numbers(admin_client):
    town = TownFactory(name="雒容镇")
    with_union = SurveyFactory(
        enterprise=EnterpriseFactory(town=town, employees=150), employees=150, union_members=120
    ).enterprise
    UnionFactory(enterprises=[with_union])
    SurveyFactory(
        enterprise=EnterpriseFactory(town=town, employees=10),
        employees=10,
        union_members=0,
        women=5,
        migrant_workers=0,
    )
    EnterpriseFactory(town=town, status="closed")
    html = page(admin_client.get(reverse("unions:figures")))
    town_table = html[html.index('data-testid="coverage-town"') :]
    town_table = town_table[: town_table.index("</table>")]
    assert "雒容镇" in town_table
    totals = town_table[town_table.index('data-testid="coverage-town-totals"') :]
    assert ">2<" in totals and ">1<" in totals
    assert "50.0" in totals and "75.0" in totals  # 1 of 2 enterprises; 120 of 160 employees
    assert 'data-testid="not-met"' in totals  # below the default targets (92% and 85%)
    assert "92.00" in html and "85.00" in html
    industry = html[html.index('data-testid="coverage-industry"') :]
    assert "C Manufacturing" in industry[: industry.index("</table>")]
    bands = html[html.index('data-testid="size-bands"') :]
    bands = bands[: bands.index("</table>")]
    assert "Micro (under 20)" in bands and "Small (20–299)" in bands
    trend = html[html.index('data-testid="survey-trend"') :]
    assert "2025" in trend[: trend.index("</table>")]
    assert 'id="coverage-chart-data"' in html and "vendor/echarts/echarts.min.js" in html


def test_figures_met_badge_and_empty_park(admin_client):
    html = page(admin_client.get(reverse("unions:figures")))
    assert "No operating enterprises." in html and "coverage-chart-data" not in html
    e = SurveyFactory(employees=100, union_members=90).enterprise
    UnionFactory(enterprises=[e])
    html = page(admin_client.get(reverse("unions:figures")))
    totals = html[html.index('data-testid="coverage-town-totals"') :]
    totals = totals[: totals.index("</tfoot>")]
    assert "100.0" in totals and "90.0" in totals and 'data-testid="not-met"' not in totals


def test_union_official_sees_figures(en):
    federation = UnionFactory(kind=Union.Kind.FEDERATION)
    en.force_login(user_with_role(Role.UNION_OFFICIAL, federation.organisation))
    assert en.get(reverse("unions:figures")).status_code == 200


# Collective contracts ------------------------------------------------------------------------------------


def test_contract_list_filters_and_badges(admin_client, ent_a, ent_b):
    awaiting = make_contract(ent_a, title="待备案合同")
    in_force = make_contract(
        ent_b,
        kind="wage",
        title="生效的工资协议",
        filed_on=TODAY - dt.timedelta(days=25),
        effective_on=TODAY - dt.timedelta(days=10),
    )
    html = page(admin_client.get(reverse("unions:contract_list")))
    assert "待备案合同" in html and "生效的工资协议" in html
    assert 'data-testid="state-awaiting_filing"' in html and 'data-testid="state-in_force"' in html
    html = page(admin_client.get(reverse("unions:contract_list"), {"state": "in_force"}))
    assert in_force.title in html and awaiting.title not in html
    html = page(admin_client.get(reverse("unions:contract_list"), {"state": "awaiting_filing"}))
    assert in_force.title not in html and awaiting.title in html
    html = page(admin_client.get(reverse("unions:contract_list"), {"kind": "wage"}))
    assert in_force.title in html and awaiting.title not in html
    html = page(admin_client.get(reverse("unions:contract_list"), {"q": ent_a.name[-6:]}))
    assert awaiting.title in html and in_force.title not in html
    html = page(admin_client.get(reverse("unions:contract_list"), {"state": "bogus", "kind": "bogus"}))
    assert awaiting.title in html and in_force.title in html


def test_contract_of_another_enterprise_is_404_for_hr(en, ent_a, ent_b, ent_hr_a):
    contract_b = make_contract(ent_b, title="乙公司合同")
    make_contract(ent_a, title="甲公司合同")
    en.force_login(ent_hr_a)
    html = page(en.get(reverse("unions:contract_list")))
    assert "甲公司合同" in html and "乙公司合同" not in html
    for name in ("unions:contract_detail", "unions:contract_edit"):
        assert en.get(reverse(name, args=[contract_b.pk])).status_code == 404, name
    assert en.get(reverse("unions:contract_create"), {"enterprise": ent_b.pk}).status_code == 404
    assert en.get(reverse("unions:congress_create"), {"enterprise": ent_b.pk}).status_code == 404


def test_hr_cannot_record_a_contract_for_another_enterprise_through_the_form(en, ent_a, ent_b, ent_hr_a):
    en.force_login(ent_hr_a)
    response = en.post(reverse("unions:contract_create"), form_post(contract_data(enterprise=ent_b.pk)))
    assert "Select a valid choice" in page(response)
    assert not CollectiveContract.objects.exists()
    response = en.post(reverse("unions:contract_create"), form_post(contract_data(enterprise=ent_a.pk)))
    assert response.status_code == 302
    assert CollectiveContract.objects.get().enterprise == ent_a


def test_contract_form_with_a_failing_vote_shows_the_rule_and_source(admin_client, ent_a):
    url = reverse("unions:contract_create") + f"?enterprise={ent_a.pk}"
    html = page(admin_client.get(url))
    assert f'value="{ent_a.pk}" selected' in html
    response = admin_client.post(
        url,
        form_post(
            contract_data(enterprise=ent_a.pk, representatives_present=19, representatives_approving=15)
        ),
    )
    html = page(response)
    assert "fewer than two thirds of the 30 representatives were present" in html
    assert "15 of 30 is not more than half of all representatives" in html
    assert "(Provisions on Collective Contracts art. 36)" in html
    assert not CollectiveContract.objects.exists()
    response = admin_client.post(
        url,
        form_post(
            contract_data(
                enterprise=ent_a.pk, ends_on=contract_data()["starts_on"] + dt.timedelta(days=4 * 366)
            )
        ),
    )
    assert "Provisions on Collective Contracts art. 38" in page(response)


def test_contract_recorded_through_the_form(admin_client, ent_a):
    union = UnionFactory(enterprises=[ent_a])
    response = admin_client.post(
        reverse("unions:contract_create"), form_post(contract_data(enterprise=ent_a.pk))
    )
    contract = CollectiveContract.objects.get()
    assert response["Location"] == reverse("unions:contract_detail", args=[contract.pk])
    assert contract.union == union and contract.representatives_present == 20
    html = page(admin_client.get(response["Location"]))
    assert 'data-testid="vote-adopted"' in html and "Provisions on Collective Contracts art. 36" in html
    assert "Awaiting filing" in html and 'data-testid="file-form"' in html
    assert (contract.signed_on + dt.timedelta(days=10)).isoformat() in html  # filing due
    assert 'data-testid="filed-late"' in html  # signed 30 days ago, not filed yet


def test_contract_detail_hides_review_forms_from_hr(en, ent_a, ent_hr_a):
    contract = make_contract(ent_a)
    en.force_login(ent_hr_a)
    html = page(en.get(reverse("unions:contract_detail", args=[contract.pk])))
    assert 'data-testid="file-form"' not in html and 'data-testid="objection-form"' not in html
    assert 'data-testid="contract-edit"' in html


def test_filing_through_post(admin_client, ent_a, ent_hr_a):
    contract = make_contract(ent_a)
    url = reverse("unions:contract_file", args=[contract.pk])
    assert admin_client.get(url).status_code == 405
    html = page(admin_client.post(url, {"filed_on": (contract.signed_on - dt.timedelta(1)).isoformat()}))
    assert "A contract cannot be filed before it is signed." in html
    html = page(admin_client.post(url, {"filed_on": ""}))
    assert "This field is required." in html
    contract.refresh_from_db()
    assert contract.filed_on is None
    filed = contract.signed_on + dt.timedelta(days=4)
    response = admin_client.post(url, {"filed_on": filed.isoformat()})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.filed_on == filed and contract.effective_on == filed + dt.timedelta(days=15)
    html = page(admin_client.get(reverse("unions:contract_detail", args=[contract.pk])))
    assert (
        "In force" in html
        and 'data-testid="objection-form"' in html
        and 'data-testid="file-form"' not in html
    )
    assert 'data-testid="filed-late"' not in html and 'data-testid="contract-edit"' not in html
    assert ent_hr_a.notifications.count() == 1
    response = admin_client.post(url, {"filed_on": TODAY.isoformat()}, follow=True)  # filed already
    assert "This contract is already filed." in page(response)
    contract.refresh_from_db()
    assert contract.filed_on == filed


def test_objection_through_post(admin_client, ent_a):
    unfiled = make_contract(ent_a, title="未备案")
    response = admin_client.post(
        reverse("unions:contract_objection", args=[unfiled.pk]),
        {"objection_on": TODAY.isoformat(), "objection_note": "x"},
        follow=True,
    )
    assert "Only a filed contract can receive an objection." in page(response)
    contract = make_contract(
        ent_a, filed_on=TODAY - dt.timedelta(days=20), effective_on=TODAY - dt.timedelta(5)
    )
    url = reverse("unions:contract_objection", args=[contract.pk])
    html = page(
        admin_client.post(url, {"objection_on": TODAY.isoformat(), "objection_note": "工资低于最低标准"})
    )
    assert "An objection must come within 15 days of filing" in html and "art. 47" in html
    contract.refresh_from_db()
    assert contract.objection_on is None
    contract = make_contract(
        ent_a,
        title="在审查期内",
        filed_on=TODAY - dt.timedelta(days=3),
        effective_on=TODAY + dt.timedelta(days=12),
    )
    url = reverse("unions:contract_objection", args=[contract.pk])
    html = page(admin_client.post(url, {"objection_on": TODAY.isoformat(), "objection_note": ""}))
    assert "Give the reasons for the objection." in html
    response = admin_client.post(
        url, {"objection_on": TODAY.isoformat(), "objection_note": "工资低于最低标准"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.objection_on == TODAY and contract.effective_on is None
    html = page(admin_client.get(reverse("unions:contract_detail", args=[contract.pk])))
    assert "Objection raised" in html and "工资低于最低标准" in html
    assert "Record a new filing after the objection" in html and 'data-testid="contract-edit"' in html


def test_edit_contract_through_the_form_and_refusal_after_filing(admin_client, ent_a):
    contract = make_contract(ent_a)
    url = reverse("unions:contract_edit", args=[contract.pk])
    html = page(admin_client.get(url))
    assert 'name="enterprise"' not in html and f'value="{contract.title}"' in html
    data = form_post(contract_data(title="修订稿"))
    assert admin_client.post(url, data).status_code == 302
    contract.refresh_from_db()
    assert contract.title == "修订稿"
    CollectiveContract.objects.filter(pk=contract.pk).update(
        filed_on=TODAY, effective_on=TODAY + dt.timedelta(15)
    )
    html = page(admin_client.post(url, form_post(contract_data(title="再改"))))
    assert "A filed contract cannot be changed" in html
    contract.refresh_from_db()
    assert contract.title == "修订稿"


# Workers' congress -----------------------------------------------------------------------------------


def test_record_congress_through_the_form(admin_client, ent_a):
    url = reverse("unions:congress_create") + f"?enterprise={ent_a.pk}"
    html = page(admin_client.get(url))
    assert f'value="{ent_a.pk}" selected' in html
    data = {
        "enterprise": ent_a.pk,
        "held_on": (TODAY + dt.timedelta(1)).isoformat(),
        "representatives_total": "30",
        "representatives_present": "31",
    }
    html = page(admin_client.post(url, data))
    assert "The meeting date cannot be in the future." in html
    assert not WorkersCongress.objects.exists()
    data |= {"held_on": TODAY.isoformat(), "representatives_present": "19", "session": "第三届第二次"}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("enterprises:detail", args=[ent_a.pk]) + "#congresses"
    meeting = WorkersCongress.objects.get()
    assert meeting.representatives_present == 19 and meeting.session == "第三届第二次"


# Dossier sections ------------------------------------------------------------------------------------


def _render_sections(user, enterprise):
    principal = principal_for_user(user)
    enterprise = get_enterprise(principal, enterprise.pk)
    out = {}
    for section in selectors.dossier_sections(principal, enterprise):
        if section.get("hidden"):
            out[section["key"]] = "hidden"
            continue
        context = {**section["context"], "enterprise": enterprise, "principal": principal}
        out[section["key"]] = render_to_string(section["template"], context)
    return out


def test_dossier_sections_render(park_admin, ent_a):
    from django.utils import translation

    SurveyFactory(enterprise=ent_a, union_members=30)
    make_contract(ent_a, title="甲公司集体合同")
    WorkersCongress.objects.create(
        enterprise=ent_a, held_on=TODAY, representatives_total=30, representatives_present=19
    )
    with translation.override("en"):
        html = _render_sections(park_admin, ent_a)
    assert "No union covers this enterprise." in html["union"]
    assert 'data-testid="needs-union-warning"' in html["union"] and "Trade Union Law art. 11" in html["union"]
    assert (
        "甲公司集体合同" in html["collective_contracts"] and "Awaiting filing" in html["collective_contracts"]
    )
    assert f"?enterprise={ent_a.pk}" in html["collective_contracts"]
    assert 'data-testid="not-quorate"' in html["congresses"]
    assert "Provisions on Democratic Management of Enterprises art. 17" in html["congresses"]
    assert f"{reverse('unions:congress_create')}?enterprise={ent_a.pk}" in html["congresses"]


def test_dossier_union_section_and_no_add_links_without_permission(ent_a):
    SurveyFactory(enterprise=ent_a, union_members=30)
    union = UnionFactory(name="甲企业工会", enterprises=[ent_a])
    inspector = user_with_role(Role.INSPECTOR)
    inspector_org = inspector.memberships.get().organisation
    inspector_org.area = ent_a.town
    inspector_org.save()
    # The inspector's role reads no union records: the sections are hidden, not empty (issue 17).
    html = _render_sections(inspector, ent_a)
    assert html["union"] == html["collective_contracts"] == html["congresses"] == "hidden"
    # The union official of another union reads them, without the union's link (its page would
    # answer 404) or the add buttons (they are not a party).
    other = user_with_role(Role.UNION_OFFICIAL)
    other_org = other.memberships.get().organisation
    other_org.area = ent_a.town
    other_org.save()
    UnionFactory(organisation=other_org, kind=Union.Kind.FEDERATION)
    html = _render_sections(other, ent_a)
    assert "甲企业工会" in html["union"] and reverse("unions:detail", args=[union.pk]) not in html["union"]
    assert 'data-testid="needs-union-warning"' not in html["union"]


# Query counts ---------------------------------------------------------------------------------------


def _count_queries(client, url, warm=True) -> int:
    if warm:  # the first page of a session fills the caches (permissions, memberships)
        client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_union_list_query_count_does_not_grow_with_rows(admin_client):
    federation = UnionFactory(kind=Union.Kind.FEDERATION)
    for _ in range(5):
        UnionFactory(parent=federation, enterprises=[EnterpriseFactory()])
    few = _count_queries(admin_client, reverse("unions:list"))
    for _ in range(25):
        UnionFactory(parent=UnionFactory(kind=Union.Kind.FEDERATION), enterprises=[EnterpriseFactory()])
    assert _count_queries(admin_client, reverse("unions:list")) == few


def test_contract_list_query_count_does_not_grow_with_rows(admin_client):
    def rows(n):
        for _ in range(n):
            enterprise = EnterpriseFactory()
            make_contract(enterprise, union=UnionFactory(enterprises=[enterprise]))

    rows(5)
    few = _count_queries(admin_client, reverse("unions:contract_list"))
    rows(25)
    assert _count_queries(admin_client, reverse("unions:contract_list")) == few


def test_bad_enterprise_parameter_is_404_not_500(admin_client):
    for name in ("unions:contract_create", "unions:congress_create"):
        assert admin_client.get(reverse(name), {"enterprise": "not-a-uuid"}).status_code == 404


def test_figures_send_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/unions/figures/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_targets_note_is_in_one_language(admin_client, client):
    """Issue 20: the seeded targets' note read "默认目标（园区创建方案）/ default targets of the park
    plan" whatever the language; it reads in the reader's language, a note typed by the park as
    it was typed."""
    from django.core.cache import cache

    from apps.unions.models import UnionTarget

    target = UnionTarget.objects.get(from_year=2022)
    assert target.note == UnionTarget.SEEDED_NOTE  # migration 0002's
    html = page(admin_client.get(reverse("unions:figures")))
    note = html[html.index('data-testid="target-note"') :]
    note = note[: note.index("</span>")]
    assert "(Default targets of the park plan)" in note and "默认" not in note
    target.note = "园区2025年方案"
    target.save()
    cache.clear()  # the figures are cached (a change of target does not invalidate them)
    html = page(admin_client.get(reverse("unions:figures")))
    assert "(园区2025年方案)" in html
