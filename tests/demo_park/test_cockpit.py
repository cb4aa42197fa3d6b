"""The cockpit on the demo park (issue 20): every headline figure has a value and a link that
opens; the page, the statistics API and the monthly record give the same numbers for the same
date; the page keeps a query budget."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import create_api_client
from apps.cockpit import rules, selectors
from apps.core.principal import SYSTEM

TODAY = timezone.localdate()
#: The cockpit's queries on a warm cache: the session, the user's permissions, the towns of the
#: form, the targets and the monthly record (not one per enterprise or per figure).
QUERY_BUDGET = 12


@pytest.fixture
def admin_client(client, demo_park):
    client.force_login(User.objects.get(username="admin"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_every_headline_figure_has_a_value_and_its_list_opens(admin_client):
    page = admin_client.get("/cockpit/")
    assert page.status_code == 200
    headline = page.context["headline"]
    assert [f["code"] for f in headline] == list(rules.HEADLINE)
    coverage = page.context["result"]["by_code"]["certification.coverage"]
    assert coverage["value"] is not None and coverage["target"] == Decimal("90.0")
    assert coverage["denominator"] > 100  # the demo park's 200 enterprises, operating ones
    for figure in headline:
        assert figure["url"], figure["code"]
        assert admin_client.get(figure["url"]).status_code == 200, figure["url"]
    # Two years of trends: 23 months recorded by the demo seed, the current one live.
    assert page.context["trend"]["recorded"] == 23
    assert all(v is not None for v in page.context["trend"]["series"]["unions.coverage"])


def test_the_page_the_api_and_the_record_agree_for_the_same_date(admin_client, client):
    last = rules.add_months(TODAY, -1)
    end = rules.month_end(last)
    codes = list(rules.FIGURE_ORDER)
    page = admin_client.get("/cockpit/", {"as_of": end.isoformat(), "since": last.isoformat()})
    shown = page.context["result"]["by_code"]
    _c, key = create_api_client(name="cockpit-test", scopes=["statistics:read"])
    body = client.get(
        "/api/v1/statistics/",
        {"as_of": end.isoformat(), "since": last.isoformat()},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    ).json()
    api = {f["code"]: f["value"] for f in body["figures"]}
    trend = selectors.trends(SYSTEM, as_of=end, months=1, codes=codes)  # last month: recorded
    for code in codes:
        value = shown[code]["value"]
        assert (api[code] is None) == (value is None), code
        if value is not None:
            assert Decimal(str(api[code])) == value, code
        # The month recorded by the seed equals the live figures of its end (nothing changed since).
        assert (
            trend["series"][code][0]
            == selectors.figures(SYSTEM, as_of=end, since=last)["by_code"][code]["value"]
        ), code


def test_breakdowns_add_up_to_the_park(demo_park):
    result = selectors.figures(SYSTEM)
    for by in ("town", "industry"):
        table = selectors.breakdown(SYSTEM, by=by)
        assert (
            sum(r["values"]["enterprises.operating"] for r in table["rows"])
            == result["by_code"]["enterprises.operating"]["value"]
        )
        assert (
            table["total"]["values"]["certification.coverage"]
            == result["by_code"]["certification.coverage"]["value"]
        )


def test_the_cockpit_keeps_its_query_budget(admin_client):
    admin_client.get("/cockpit/")
    with CaptureQueriesContext(connection) as ctx:
        assert admin_client.get("/cockpit/").status_code == 200
    assert len(ctx) <= QUERY_BUDGET, [q["sql"][:120] for q in ctx.captured_queries]
