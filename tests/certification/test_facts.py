"""Certification reviewed on the platform's facts (issue 17, item 2): the rule set maps items to
facts as data, self-scores are judged against them (agree / disagree / unknown), and the review
page, the API and HR's wizard show them side by side. The review page saves the scores and the
on-site check record in one form without losing typed input.

Facts come from a provider registered in the test (every other provider switched off), so the
checks do not depend on what the modules hold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.certification import rules, selectors, services
from apps.certification.default_rules import ITEM_FACTS, apply_default_facts
from apps.certification.models import Application, Evidence, FactTest, Item, ItemScore
from apps.core.facts import Fact, collect_facts

from .conftest import build, complete, p, pdf_upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

#: What the test provider returns, by code (filled by the `platform_facts` fixture's users).
FACTS: dict[str, Fact] = {}


def provide_facts(enterprise, today):
    return list(FACTS.values())


@pytest.fixture
def platform_facts(monkeypatch):
    """Only this module's provider answers `collect_facts`; returns the dict to fill."""
    for config in django_apps.get_app_configs():
        if getattr(config, "enterprise_facts", None):
            monkeypatch.setattr(config, "enterprise_facts", None, raising=False)
    monkeypatch.setattr(
        django_apps.get_app_config("certification"),
        "enterprise_facts",
        "tests.certification.test_facts.provide_facts",
        raising=False,
    )
    FACTS.clear()
    yield FACTS
    FACTS.clear()


def fact(code, value, display, *, url="", permission="", label=None):
    return Fact(
        code=code,
        label=label or code,
        value=value,
        display=display,
        source="劳动合同台账",
        as_of=TODAY,
        url=url,
        permission=permission,
    )


def book_facts(facts):
    """The issue's example: the book says 89.6 % and 16 workers without a written contract."""
    facts["contracts.signing_rate"] = fact(
        "contracts.signing_rate",
        Decimal("89.6"),
        "89.6 %: 1,366 workers with a contract in force of 1,525 employees",
        url="/contracts/?enterprise=x",
        label="Labour contract signing rate",
    )
    facts["contracts.without_contract"] = fact("contracts.without_contract", 16, "16 workers")
    facts["unions.has_union"] = fact(
        "unions.has_union",
        True,
        "Union registered, 720 members",
        url="/unions/x/",
        permission="nobody.no_perm",
    )
    facts["mediation.disputes"] = fact("mediation.disputes", 2, "2 dispute cases in 24 months")
    return facts


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def item(code, max_points="6", fact_code="", test="", threshold=None):
    return Item(
        code=code,
        text=code,
        max_points=Decimal(max_points),
        fact_code=fact_code,
        fact_test=test,
        fact_threshold=Decimal(threshold) if threshold is not None else None,
    )


SIGNING = {"fact_code": "contracts.signing_rate", "test": FactTest.AT_LEAST, "threshold": "100"}


# The rules (pure) -------------------------------------------------------------------------------------


@pytest.fixture
def english_messages():
    with translation.override("en"):
        yield


def test_full_points_on_signing_while_the_book_says_89_6_disagrees(english_messages):
    check = rules.check_self_score(
        item("signing", **SIGNING),
        Decimal("6"),
        fact("contracts.signing_rate", Decimal("89.6"), "89.6 %", label="Labour contract signing rate"),
    )
    assert check.state == rules.DISAGREE and check.disagrees and check.passes is False
    assert check.rule == "Labour contract signing rate ≥ 100"
    assert "Full points (6 of 6) claimed" in check.message and "89.6 %" in check.message
    assert "≥ 100" in check.message


def test_agreeing_and_partial_scores(english_messages):
    signing = item("signing", **SIGNING)
    full = fact("contracts.signing_rate", Decimal("100.0"), "100 %")
    assert rules.check_self_score(signing, Decimal("6"), full).state == rules.AGREE
    # Fewer than full points while the record fails: the enterprise deducted itself.
    low = fact("contracts.signing_rate", Decimal("89.6"), "89.6 %")
    assert rules.check_self_score(signing, Decimal("3"), low).state == rules.AGREE
    # No points while the record meets the rule disagrees the other way.
    union = item("union", "5", "unions.has_union", FactTest.IS_TRUE)
    check = rules.check_self_score(union, Decimal("0"), fact("unions.has_union", True, "yes"))
    assert check.state == rules.DISAGREE and "No points given" in check.message


def test_each_test_of_the_catalogue():
    assert rules.fact_passes(FactTest.IS_TRUE, True, None) is True
    assert rules.fact_passes(FactTest.IS_FALSE, True, None) is False
    assert rules.fact_passes(FactTest.EQUALS_ZERO, 0, None) is True
    assert rules.fact_passes(FactTest.EQUALS_ZERO, 2, None) is False
    assert rules.fact_passes(FactTest.AT_MOST, 3, Decimal("3")) is True
    assert rules.fact_passes(FactTest.AT_LEAST, Decimal("99.9"), Decimal("100")) is False
    # Values the test cannot read: no figure, the wrong type.
    assert rules.fact_passes(FactTest.AT_LEAST, None, Decimal("100")) is None
    assert rules.fact_passes(FactTest.IS_TRUE, 1, None) is None
    assert rules.fact_passes(FactTest.EQUALS_ZERO, True, None) is None


def test_unknown_when_the_platform_cannot_check():
    signing = item("signing", **SIGNING)
    # No mapping.
    assert rules.check_self_score(item("care"), Decimal("2"), None).state == rules.UNKNOWN
    # No module provides the fact.
    check = rules.check_self_score(signing, Decimal("6"), None)
    assert check.state == rules.UNKNOWN and "contracts.signing_rate" in check.message
    # The registry has no employee count: no rate.
    check = rules.check_self_score(
        signing, Decimal("6"), fact("contracts.signing_rate", None, "no employee count")
    )
    assert check.state == rules.UNKNOWN and "no employee count" in check.message
    # Not scored yet.
    check = rules.check_self_score(signing, None, fact("contracts.signing_rate", Decimal("80"), "80 %"))
    assert check.state == rules.UNKNOWN and check.passes is False


# The mapping as data ------------------------------------------------------------------------------------


def test_the_default_rule_set_maps_the_checkable_items(rule_set):
    mapped = {
        i.code: (i.fact_code, i.fact_test, i.fact_threshold)
        for i in Item.objects.filter(category__rule_set=rule_set).exclude(fact_code="")
    }
    assert mapped["signing"] == ("contracts.signing_rate", "at_least", Decimal("100.00"))
    assert mapped["collective_contract"] == ("unions.collective_contract", "is_true", None)
    assert mapped["wage_bargaining"] == ("unions.wage_agreement", "is_true", None)
    assert mapped["congress"] == ("unions.congress_held", "is_true", None)
    assert mapped["union"] == ("unions.has_union", "is_true", None)
    assert mapped["no_incident"] == ("mediation.mass_incidents", "equals_zero", None)
    assert mapped["no_arrears"] == ("inspection.arrears_listed", "is_false", None)
    assert set(mapped) == set(ITEM_FACTS)


def test_the_data_migration_maps_matching_items_only_once(rule_set):
    Item.objects.filter(category__rule_set=rule_set).update(fact_code="", fact_test="", fact_threshold=None)
    signing = Item.objects.get(category__rule_set=rule_set, code="signing")
    assert apply_default_facts(Item) == len(ITEM_FACTS)
    signing.refresh_from_db()
    assert signing.fact_code == "contracts.signing_rate"
    # An administrator's own mapping is kept.
    Item.objects.filter(pk=signing.pk).update(fact_threshold=Decimal("95"))
    assert apply_default_facts(Item) == 0
    signing.refresh_from_db()
    assert signing.fact_threshold == Decimal("95")


def test_a_new_version_keeps_the_mapping(rule_set, cert_admin):
    copy = services.new_rule_set_version(p(cert_admin), rule_set)
    assert Item.objects.get(category__rule_set=copy, code="signing").fact_code == "contracts.signing_rate"


def test_unknown_fact_codes_are_warned_about(rule_set, platform_facts, ent_a):
    book_facts(platform_facts)
    items = Item.objects.filter(category__rule_set=rule_set)
    warnings = rules.unknown_fact_codes(items, selectors.known_fact_codes())
    # The test provider knows signing and union only: the other mapped items cannot be checked.
    assert len(warnings) == len(ITEM_FACTS) - 2
    assert any("unions.collective_contract" in w for w in warnings)
    assert rules.unknown_fact_codes(items, None) == []


def test_admin_item_mapping_is_validated(rule_set, cert_admin, client):
    from apps.certification.admin import ItemForm

    base = {"order": 0, "code": "x", "text": "x", "max_points": "1", "evidence_required": True}
    form = ItemForm(data={**base, "fact_code": "contracts.signing_rate", "fact_test": "at_least"})
    assert not form.is_valid() and "fact_threshold" in form.errors
    form = ItemForm(data={**base, "fact_code": "contracts.signing_rate"})
    assert not form.is_valid() and "fact_test" in form.errors
    form = ItemForm(data={**base, "fact_code": "unions.has_union", "fact_test": "is_true"})
    assert form.is_valid(), form.errors


# The review page, the API, the wizard ------------------------------------------------------------------


def scored(app, hr, **overrides):
    """Every item at 95 %, with the overrides (item code → score)."""
    app = complete(app, hr)
    rows = {s.item.code: s for s in app.scores.select_related("item")}
    services.save_self_scores(
        p(hr), app, {str(rows[code].item_id): {"score": value} for code, value in overrides.items()}
    )
    app.refresh_from_db()
    return app


@pytest.fixture
def under_review(ent_a_old, ent_hr_a, cert_round, cert_admin):
    app = scored(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a, signing="6", union="5")
    services.submit(p(ent_hr_a), app)
    return services.start_review(p(cert_admin), app)


def test_the_review_page_shows_each_self_score_beside_its_fact(en, platform_facts, under_review, cert_admin):
    book_facts(platform_facts)
    en.force_login(cert_admin)
    url = reverse("certification:review", args=[under_review.pk])
    response = en.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # Signing: 6/6 claimed, the book says 89.6 %: flagged, with the rule, the date and the source.
    row = html.split('data-testid="review-item-signing"')[1].split("</tr>")[0]
    assert 'class="table-danger"' in row[:40]
    assert 'data-testid="fact-disagrees"' in row and "89.6 %: 1,366 workers" in row
    assert "Labour contract signing rate ≥ 100" in row and TODAY.strftime("%Y-%m-%d") in row
    assert "劳动合同台账" in row and 'href="/contracts/?enterprise=x"' in row
    # Union: agrees; its link needs a permission the reviewer lacks: no link.
    row = html.split('data-testid="review-item-union"')[1].split("</tr>")[0]
    assert 'data-state="agree"' in row and "Union registered, 720 members" in row
    assert 'href="/unions/x/"' not in html
    # A mapped item no module provides: the platform cannot check it.
    row = html.split('data-testid="review-item-congress"')[1].split("</tr>")[0]
    assert 'data-state="unknown"' in row and "no module provides" in row
    # An unmapped item.
    row = html.split('data-testid="review-item-care"')[1].split("</tr>")[0]
    assert "The platform cannot check this item." in row
    # The panel of every fact: the disputes and the workers without a contract are there too.
    assert 'data-testid="facts-disagreements"' in html and "2 dispute cases in 24 months" in html
    assert "16 workers" in html


def test_facts_are_collected_once_per_page(en, platform_facts, under_review, cert_admin, monkeypatch):
    book_facts(platform_facts)
    calls = []
    monkeypatch.setattr(
        "tests.certification.test_facts.provide_facts",
        lambda enterprise, today: calls.append(1) or list(FACTS.values()),
    )
    en.force_login(cert_admin)
    assert en.get(reverse("certification:review", args=[under_review.pk])).status_code == 200
    assert len(calls) == 1


def test_the_api_detail_shows_the_fact_checks(client, platform_facts, under_review, api_client_factory):
    book_facts(platform_facts)
    _client, key = api_client_factory(name="区人社局", scopes=["certification:read"])
    response = client.get(
        f"/api/v1/certification/applications/{under_review.pk}/",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    checks = {c["item"]: c for c in body["fact_checks"]}
    signing = checks["signing"]
    assert signing["state"] == "disagree" and signing["passes"] is False
    assert signing["self_score"] == "6.0" and signing["max_points"] == "6.0"
    assert signing["rule"] == "Labour contract signing rate ≥ 100"
    assert signing["fact"]["value"] == 89.6 and signing["fact"]["as_of"] == TODAY.isoformat()
    assert signing["fact"]["url"] == "/contracts/?enterprise=x"
    assert checks["union"]["state"] == "agree" and checks["union"]["fact"]["url"] == ""
    assert checks["congress"]["state"] == "unknown" and checks["congress"]["fact"] is None
    assert "care" not in checks
    facts = {f["code"]: f for f in body["facts"]}
    assert facts["mediation.disputes"]["value"] == 2
    # The list stays light.
    listed = client.get(
        "/api/v1/certification/applications/", HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "fact_checks" not in listed.json()["results"][0]


def test_hr_sees_the_facts_in_the_wizard(en, platform_facts, ent_a_old, ent_hr_a, cert_round):
    book_facts(platform_facts)
    app = scored(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a, signing="6")
    en.force_login(ent_hr_a)
    html = en.get(reverse("certification:wizard", args=[app.pk, "contracts"])).content.decode()
    block = html.split('data-testid="item-signing"')[1].split("</fieldset>")[0]
    assert 'data-testid="fact-signing"' in block and 'data-state="disagree"' in block
    assert "89.6 %: 1,366 workers" in block
    assert 'data-testid="wizard-facts-hint"' in html
    html = en.get(reverse("certification:wizard", args=[app.pk, "submit"])).content.decode()
    table = html.split('data-testid="wizard-facts"')[1].split("</table>")[0]
    assert "6.0 / 6.0" in table and 'data-state="disagree"' in table and 'data-state="agree"' in table


def test_facts_with_real_records_when_a_module_provides_them(platform_facts, under_review, cert_admin):
    """Through `collect_facts` as the page calls it (the module providers are switched back on)."""
    for config in django_apps.get_app_configs():
        path = type(config).__dict__.get("enterprise_facts")
        if path:
            config.enterprise_facts = path
    facts = collect_facts(under_review.enterprise, TODAY)
    review = selectors.fact_review(p(cert_admin), under_review)
    for row in review.by_item.values():
        assert (row.fact is None) == (row.item.fact_code not in facts)


# One form on the review page --------------------------------------------------------------------------


def review_post(app, **record):
    """Every field of the page's one form: the scores as the page shows them, and the record."""
    data = {}
    for s in ItemScore.objects.filter(application=app).select_related("item"):
        data[f"item_{s.item_id}"] = "" if s.review_score is None else str(s.review_score)
        data[f"note_{s.item_id}"] = s.review_note
    data.update(
        {
            "review_comments": app.review_comments,
            "site_visit_on": app.site_visit_on.isoformat() if app.site_visit_on else "",
            "site_visit_by": app.site_visit_by,
            "site_visit_notes": app.site_visit_notes,
        }
    )
    data.update(record)
    return data


def test_one_form_saves_the_site_visit_and_the_scores_together(en, under_review, cert_admin):
    en.force_login(cert_admin)
    url = reverse("certification:review", args=[under_review.pk])
    html = en.get(url).content.decode()
    assert html.count("<form") - html.count('class="d-none"') >= 1
    assert 'data-testid="review-record-form"' in html.split('data-testid="review-scores-form"')[1]
    signing = ItemScore.objects.get(application=under_review, item__code="signing")
    data = review_post(
        under_review,
        site_visit_on=(TODAY - dt.timedelta(days=1)).isoformat(),
        site_visit_by="园区劳动关系办",
        site_visit_notes="现场查看劳动合同台账，签订率不足。",
        file=pdf_upload("现场核查.pdf"),
    )
    data[f"item_{signing.item_id}"] = "3"
    data[f"note_{signing.item_id}"] = "台账签订率89.6%"
    response = en.post(url, data)
    assert response.status_code == 302
    app = Application.objects.get(pk=under_review.pk)
    assert app.site_visit_by == "园区劳动关系办" and "签订率不足" in app.site_visit_notes
    signing.refresh_from_db()
    assert signing.review_score == Decimal("3") and signing.reviewed_by == cert_admin
    assert app.evidence.get(purpose=Evidence.Purpose.SITE_VISIT).original_name == "现场核查.pdf"
    # Only the changed item is stamped with the reviewer; the others were not scored.
    assert ItemScore.objects.filter(application=app, reviewed_by__isnull=False).count() == 1


def test_a_refused_field_keeps_everything_typed_and_saves_nothing(en, under_review, cert_admin):
    en.force_login(cert_admin)
    url = reverse("certification:review", args=[under_review.pk])
    signing = ItemScore.objects.get(application=under_review, item__code="signing")
    data = review_post(
        under_review,
        review_comments="材料基本齐全。",
        site_visit_on=(TODAY + dt.timedelta(days=3)).isoformat(),
        site_visit_by="园区劳动关系办",
        site_visit_notes="拟现场核查工资台账。",
    )
    data[f"item_{signing.item_id}"] = "4.5"
    response = en.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The on-site check cannot be in the future." in html
    assert "Nothing was saved" in html
    # Everything typed is shown again.
    assert "材料基本齐全。" in html and "拟现场核查工资台账。" in html and "园区劳动关系办" in html
    assert 'value="4.5"' in html
    # All or nothing.
    app = Application.objects.get(pk=under_review.pk)
    signing.refresh_from_db()
    assert app.site_visit_notes == "" and app.review_comments == "" and signing.review_score is None
    # A bad score and a bad date: both errors at once, the typed record kept.
    data[f"item_{signing.item_id}"] = "99"
    html = en.post(url, data).content.decode()
    assert "Enter a score between 0 and 6" in html and "拟现场核查工资台账。" in html


def test_the_record_or_the_scores_alone(en, under_review, cert_admin):
    en.force_login(cert_admin)
    url = reverse("certification:review", args=[under_review.pk])
    signing = ItemScore.objects.get(application=under_review, item__code="signing")
    services.save_review_scores(p(cert_admin), under_review, {str(signing.item_id): {"score": "5"}})
    # The record alone (no score fields sent) leaves the scores as they are.
    assert en.post(url, {"review_comments": "先记录意见。"}).status_code == 302
    signing.refresh_from_db()
    assert signing.review_score == Decimal("5")
    assert Application.objects.get(pk=under_review.pk).review_comments == "先记录意见。"
    # The scores alone leave the record.
    assert en.post(url, {f"item_{signing.item_id}": "4"}).status_code == 302
    signing.refresh_from_db()
    app = Application.objects.get(pk=under_review.pk)
    assert signing.review_score == Decimal("4") and app.review_comments == "先记录意见。"


def test_the_service_saves_both_or_neither(under_review, cert_admin):
    from apps.core.errors import DomainError

    signing = ItemScore.objects.get(application=under_review, item__code="signing")
    with pytest.raises(DomainError) as exc:
        services.save_review_and_scores(
            p(cert_admin),
            under_review,
            scores={str(signing.item_id): {"score": "99"}},
            record={"site_visit_on": TODAY + dt.timedelta(days=1), "site_visit_notes": "x"},
        )
    assert set(exc.value.fields) == {f"item_{signing.item_id}", "site_visit_on"}
    signing.refresh_from_db()
    assert signing.review_score is None
    app = services.save_review_and_scores(
        p(cert_admin),
        under_review,
        scores={str(signing.item_id): {"score": "2"}},
        record={"site_visit_on": TODAY, "site_visit_notes": "现场核查"},
    )
    assert app.reviewed_score == Decimal("2") and app.site_visit_notes == "现场核查"


def test_query_count_of_the_review_page_does_not_grow_with_facts(
    en, platform_facts, under_review, cert_admin
):
    en.force_login(cert_admin)
    url = reverse("certification:review", args=[under_review.pk])
    en.get(url)
    with CaptureQueriesContext(connection) as without:
        en.get(url)
    book_facts(platform_facts)
    with CaptureQueriesContext(connection) as with_facts:
        en.get(url)
    assert len(with_facts) <= len(without) + 1
