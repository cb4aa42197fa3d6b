"""Journey: the pages whose scripts and styles used to be inline work under the
Content-Security-Policy, on a desktop (1440 px) and a phone (375 px) screen.

The browser reports every violation as a `securitypolicyviolation` event and a console error; the
journey records both from before the first script of each page runs and expects none, while the
charts draw (a canvas in each chart, a tooltip on hover) and the case form's script shows the
oral record and adds an applicant row.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.core.middleware import CONTENT_SECURITY_POLICY
from tests.factories import PASSWORD
from tests.page_data import build_park

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""

CHARTS = {
    "unions:figures": ["coverage-chart"],
    "certification:figures": ["coverage-chart", "level-chart"],
    "mediation:figures": ["month-chart"],
}


@pytest.fixture
def watched(browser, request):
    """A page factory at a given width that records CSP violations and console errors."""
    contexts = []

    def make(width: int):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        context.set_default_timeout(10_000)
        context.add_init_script(RECORD_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        return page

    yield make
    for context in contexts:
        context.close()


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + [
        text for text in page.console_errors if "Content Security Policy" in text or "Refused" in text
    ]


@pytest.mark.parametrize("width", [1440, 375])
def test_figures_and_case_form_work_under_the_policy(watched, live_url, width):
    park = build_park()
    page = watched(width)
    login(page, live_url, park["admin"].username, PASSWORD)

    for name, charts in CHARTS.items():
        response = page.goto(live_url(reverse(name)))
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        for chart_id in charts:
            chart = page.locator(f"#{chart_id}")
            expect(chart.locator("canvas")).to_have_count(1)
            box = chart.bounding_box()
            assert box["height"] >= 300 and box["width"] > 200, (name, chart_id, box)
            chart.hover(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_timeout(300)
        assert violations(page) == [], name

    page.goto(live_url(reverse("mediation:create")))
    oral, add = page.get_by_test_id("oral-record"), page.get_by_test_id("add-applicant")
    expect(oral).to_be_hidden()  # the script hides it until an oral application is chosen
    page.locator("input[name='application_form'][value='oral']").check()
    expect(oral).to_be_visible()
    expect(add).to_be_visible()  # shown by the script
    rows = page.locator("#applicant-rows > *")
    before = rows.count()
    add.click()
    expect(rows).to_have_count(before + 1)
    assert page.locator("input[name='applicants-TOTAL_FORMS']").input_value() == str(before + 1)
    assert violations(page) == []


def test_the_recorder_sees_a_violation(watched, live_url):
    """The journey's check can fail: an inline style added by a script is refused and recorded."""
    build_park()
    page = watched(1440)
    page.goto(live_url("/accounts/login/"))
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<div style=\"color: red\">x</div>')")
    page.wait_for_timeout(300)
    assert any("style-src" in v for v in violations(page))
