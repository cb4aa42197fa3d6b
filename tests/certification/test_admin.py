"""Rule sets in the Django admin: a rule set a round or an application uses is read-only, and the
"new version" action makes the editable copy."""

from django.urls import reverse

from apps.accounts.roles import Role
from apps.certification.models import RuleSet
from tests.factories import user_with_role


def _superuser():
    user = user_with_role(Role.PARK_ADMIN)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


def test_a_rule_set_in_use_cannot_be_changed_in_the_admin(client, rule_set, cert_round):
    client.force_login(_superuser())
    url = reverse("admin:certification_ruleset_change", args=[rule_set.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="min_employees"' not in page.content.decode()  # shown read-only
    response = client.post(url, {"name": "changed", "min_employees": 1})
    assert response.status_code == 403
    rule_set.refresh_from_db()
    assert rule_set.min_employees == 10


def test_new_version_action_copies_the_rule_set_into_an_editable_version(client, rule_set, cert_round):
    client.force_login(_superuser())
    response = client.post(
        reverse("admin:certification_ruleset_changelist"),
        {"action": "make_new_version", "_selected_action": [str(rule_set.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    copy = RuleSet.objects.get(region=rule_set.region, year=rule_set.year, version=rule_set.version + 1)
    assert copy.levels.count() == 3 and copy.veto_rules.count() == 6
    page = client.get(reverse("admin:certification_ruleset_change", args=[copy.pk]))
    assert 'name="min_employees"' in page.content.decode()  # not in use: editable


def test_an_unused_rule_set_is_editable(client, rule_set):
    client.force_login(_superuser())
    page = client.get(reverse("admin:certification_ruleset_change", args=[rule_set.pk]))
    assert 'name="min_employees"' in page.content.decode()
