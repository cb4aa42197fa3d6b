"""Who sees what in harmony certification: HR see their own enterprise only, union officials and
district systems their area, objections are for park administrators; services refuse another
enterprise's HR."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.certification import selectors, services
from apps.certification.models import (
    AnnualReport,
    Application,
    Certificate,
    Evidence,
    GroupMember,
    Item,
    Objection,
    PublicNotice,
    VetoEvent,
)
from apps.core.errors import NotAllowed
from apps.core.principal import ANONYMOUS, principal_for_api_client
from apps.documents.models import GeneratedDocument
from tests.factories import OrganisationFactory, TownFactory, user_with_role

from .conftest import build, complete, level, p, pdf_upload, review_all

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def world(ent_a_old, ent_hr_a, ent_b, ent_hr_b, cert_round, cert_admin):
    """ent_a certified through the services (certificate, its PDF record, annual reports, an
    objection, a veto event recorded after); ent_b with a draft and its evidence."""
    admin = p(cert_admin)
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    app = services.submit(p(ent_hr_a), app)
    app = services.start_review(admin, app)
    app = services.propose(admin, review_all(app, cert_admin))
    notice = services.publish_notice(admin, round=cert_round, applications=[app])
    objection = services.file_objection(
        app, name="张三", phone="13800138000", content="该企业存在未签劳动合同的情况，请核实。"
    )
    services.resolve_objection(admin, objection, uphold=False, reason="已核实，不成立。")
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=TODAY - dt.timedelta(days=9), ends_on=TODAY - dt.timedelta(days=1)
    )
    cert = services.certify(admin, app)
    ent_b.established_on = dt.date(2019, 6, 1)
    ent_b.save()
    b_app = build(ent_hr_b, ent_b, cert_round)
    item = Item.objects.filter(category__rule_set=b_app.rule_set).first()
    b_evidence = services.add_evidence(
        p(ent_hr_b), b_app, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=item
    )
    return {
        "app": app,
        "cert": cert,
        "objection": objection,
        "b_app": b_app,
        "b_evidence": b_evidence,
    }


def visible(principal):
    return {
        "applications": set(Application.objects.visible_to(principal)),
        "evidence": set(Evidence.objects.visible_to(principal)),
        "certificates": set(Certificate.objects.visible_to(principal)),
        "reports": set(AnnualReport.objects.visible_to(principal)),
        "documents": set(GeneratedDocument.objects.visible_to(principal).filter(kind="certificate")),
        "objections": set(Objection.objects.visible_to(principal)),
    }


def test_hr_of_b_never_sees_a(world, ent_hr_b):
    seen = visible(p(ent_hr_b))
    assert seen["applications"] == {world["b_app"]}
    assert seen["evidence"] == {world["b_evidence"]}
    assert seen["certificates"] == set()
    assert seen["reports"] == set()
    assert seen["documents"] == set()
    assert seen["objections"] == set()
    with pytest.raises(Http404):
        selectors.get_application(p(ent_hr_b), world["app"].pk)


def test_hr_of_a_sees_its_own_and_not_b(world, ent_hr_a):
    seen = visible(p(ent_hr_a))
    a_evidence = set(world["app"].evidence.all())
    assert (
        len(a_evidence)
        == Item.objects.filter(category__rule_set=world["app"].rule_set, evidence_required=True).count()
    )
    assert seen["applications"] == {world["app"]}
    assert seen["evidence"] == a_evidence
    assert world["b_evidence"] not in seen["evidence"]
    assert seen["certificates"] == {world["cert"]}
    assert seen["reports"] == set(world["cert"].reports.all()) and len(seen["reports"]) == 2
    # The certificate's PDF record was requested by the administrator who certified, so the
    # documents list (created_by) does not show it to HR.
    assert seen["documents"] == set()
    assert seen["objections"] == set()  # not even objections against their own application
    with pytest.raises(Http404):
        selectors.get_application(p(ent_hr_a), world["b_app"].pk)


def test_park_administrators_see_everything(world, cert_admin):
    seen = visible(p(cert_admin))
    assert seen["applications"] == {world["app"], world["b_app"]}
    assert seen["certificates"] == {world["cert"]}
    assert GeneratedDocument.objects.get(pk=world["cert"].document_id) in seen["documents"]
    assert seen["objections"] == {world["objection"]}


def union_official(area):
    return user_with_role(Role.UNION_OFFICIAL, OrganisationFactory(kind=Organisation.Kind.UNION, area=area))


def test_union_official_of_another_area_sees_nothing(world, ent_a_old):
    other_town = TownFactory()
    assert other_town != ent_a_old.town
    seen = visible(p(union_official(other_town)))
    assert all(not rows for rows in seen.values()), seen


def test_union_official_of_the_area_sees_a_but_not_objections(world, ent_a_old):
    seen = visible(p(union_official(ent_a_old.town)))
    assert world["app"] in seen["applications"]
    assert world["cert"] in seen["certificates"]
    assert seen["objections"] == set()


def test_api_client_of_another_town_sees_nothing(world, ent_a_old, ent_b, api_client_factory):
    other_town = TownFactory()
    client, _ = api_client_factory(name="other-town", scopes=["certification:read"], area=other_town)
    seen = visible(principal_for_api_client(client))
    assert all(not rows for rows in seen.values()), seen


def test_api_client_of_the_town_sees_its_enterprises(world, ent_a_old, api_client_factory):
    client, _ = api_client_factory(name="a-town", scopes=["certification:read"], area=ent_a_old.town)
    seen = visible(principal_for_api_client(client))
    assert seen["applications"] == {world["app"]}  # ent_b lies in another town
    assert seen["certificates"] == {world["cert"]}
    assert seen["objections"] == set()


def test_anonymous_sees_nothing(world):
    seen = visible(ANONYMOUS)
    assert all(not rows for rows in seen.values()), seen


def test_veto_events_are_scoped(world, ent_a_old, ent_hr_a, ent_hr_b, cert_admin):
    services.record_veto_event(
        p(cert_admin),
        enterprise=ent_a_old,
        kind="child_labour",
        occurred_on=TODAY,
        source="柳人社监〔2026〕5号",
    )
    assert VetoEvent.objects.visible_to(p(ent_hr_a)).count() == 1
    assert VetoEvent.objects.visible_to(p(ent_hr_b)).count() == 0


# ------------------------------------------------------------------------------ services


@pytest.fixture
def a_draft(ent_a_old, ent_hr_a, cert_round):
    """A complete draft of ent_a that its own HR could submit."""
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    assert selectors.submission_problems(app) == {}
    return app


def _self_scores(hr, app):
    item = Item.objects.filter(category__rule_set=app.rule_set).first()
    services.save_self_scores(p(hr), app, {str(item.pk): {"score": "0"}})


def _add_evidence(hr, app):
    item = Item.objects.filter(category__rule_set=app.rule_set).first()
    services.add_evidence(p(hr), app, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=item)


def _delete_evidence(hr, app):
    services.delete_evidence(p(hr), app.evidence.first())


def _group(hr, app):
    services.save_group(p(hr), app, [{"name": "外人", "role": GroupMember.Role.WORKER_REP}])


def _disclosure(hr, app):
    services.save_disclosure(p(hr), app, disclosure_method="")


def _target(hr, app):
    services.change_target_level(p(hr), app, level(app.rule_set, "AA"))


def _submit(hr, app):
    services.submit(p(hr), app)


def _withdraw(hr, app):
    services.withdraw(p(hr), app)


@pytest.mark.parametrize(
    "action",
    [_self_scores, _add_evidence, _delete_evidence, _group, _disclosure, _target, _submit, _withdraw],
)
def test_hr_of_b_cannot_act_on_a(a_draft, ent_hr_b, action):
    before = (
        a_draft.self_score,
        a_draft.evidence.count(),
        list(a_draft.group.values_list("name", flat=True)),
        a_draft.target_level_id,
    )
    with pytest.raises(NotAllowed):
        action(ent_hr_b, a_draft)
    app = Application.objects.get(pk=a_draft.pk)
    assert app.status == Application.Status.DRAFT
    assert not app.history.exists()
    assert (
        app.self_score,
        app.evidence.count(),
        list(app.group.values_list("name", flat=True)),
        app.target_level_id,
    ) == before


def test_hr_of_b_cannot_create_for_a(ent_a_old, ent_hr_b, cert_round):
    with pytest.raises(NotAllowed):
        build(ent_hr_b, ent_a_old, cert_round)
    assert not Application.objects.exists()


def test_a_park_administrator_cannot_prepare_for_an_enterprise(a_draft, cert_admin):
    """The enterprise scores itself: the park reviews but does not fill in the self-evaluation."""
    for action in (_self_scores, _add_evidence, _group, _submit):
        with pytest.raises(NotAllowed):
            action(cert_admin, a_draft)
