"""Journey (issue 19, union services): a union official of the union covering an enterprise opens a
worker's hardship file, assesses it (income per head under the threshold), approves it and pays the
Spring Festival aid through the campaign page to the workers on file; the aid is on the worker's
file and in the yearly totals. A file above the threshold cannot be approved (the refusal names its
source). An enterprise's HR files an appeal, the park administrator routes it to a department and
records the answer, and HR reads the answer and rates it. At 375 px the hardship file list and the
appeal form do not scroll sideways; on a desktop screen no page of the journey does.

The records are real: the union and its coverage from the factories, the files already on record
built through the assistance services, everything else through the pages.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.appeals.models import Appeal, Department, Kind, Satisfaction
from apps.assistance import services as assistance
from apps.assistance.models import Aid, AidKind, HardshipFile, PovertyThreshold
from apps.core.personal_data import with_check_character
from apps.core.principal import principal_for_user
from tests.factories import PASSWORD, EnterpriseFactory, TownFactory, UnionFactory, user_with_role

from .helpers import follow_menu, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_SIZE = {"width": 375, "height": 812}
ENTERPRISE = "柳州恒达机械制造有限公司"
UNION = "柳州恒达机械制造有限公司工会委员会"
WORKER = "韦秀兰"  # the file opened on the page
ON_FILE = "覃建国"  # already approved
ABOVE = "蓝海涛"  # assessed, but above the threshold
DRAFT = "莫小燕"  # a draft: never paid by the campaign
THRESHOLD = Decimal("1000.00")
THRESHOLD_SOURCE = "全国总工会《关于加强困难职工帮扶工作的意见》；园区帮扶政策"
DEPARTMENT = "区人社局就业科"
SUBJECT = "招聘数控车工20名"
ANSWER = "已对接园区劳务基地，下周三在园区人力资源市场举办专场招聘会。"


def zh(text) -> str:
    """A message id or a lazy string as the default UI language renders it, translated or not yet."""
    with override("zh-hans"):
        return gettext(text) if isinstance(text, str) else str(text)


def p(user):
    return principal_for_user(user)


def id_number(seed: int) -> str:
    return with_check_character(f"45020519850612{seed:03d}")


def no_horizontal_scroll(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways: {scroll} px wide in a {inner} px window"


def switch_user(page, live_url, username: str) -> None:
    page.context.clear_cookies()
    login(page, live_url, username, PASSWORD)


@pytest.fixture
def park(db):
    """An enterprise covered by its union, the union's official, the enterprise's HR and the park
    administrator; three files of the enterprise's workers already on record (approved, assessed
    above the threshold, draft). The policy rows of the migrations an earlier transactional test
    may have flushed (the threshold, the answering departments) are put back."""
    today = timezone.localdate()
    PovertyThreshold.objects.get_or_create(
        effective_from=dt.date(2020, 1, 1),
        area=None,
        defaults={"monthly_income_per_head": THRESHOLD, "source": THRESHOLD_SOURCE},
    )
    department, _ = Department.objects.get_or_create(
        name=DEPARTMENT, defaults={"kinds": ["hiring", "training"]}
    )
    Department.objects.get_or_create(
        name="园区企业服务中心", defaults={"kinds": ["policy", "other"], "position": 1}
    )

    town = TownFactory(name="雒容镇")
    enterprise = EnterpriseFactory(name=ENTERPRISE, town=town)
    union = UnionFactory(name=UNION, enterprises=[enterprise])
    official = user_with_role(Role.UNION_OFFICIAL, union.organisation, username="union1")
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise.organisation, username="hr1")
    user_with_role(Role.PARK_ADMIN, username="admin1")

    def open_file(name, seed, income, size=3):
        return assistance.create_file(
            p(official),
            enterprise=enterprise,
            name=name,
            id_number=id_number(seed),
            difficulties=["illness"],
            household_size=size,
            household_monthly_income=Decimal(income),
        )

    on_file = open_file(ON_FILE, 11, "2400")  # 800 a head
    on_file = assistance.assess(p(official), on_file, assessed_on=today, assessor="王评估")
    on_file = assistance.approve(p(official), on_file, approved_on=today)
    above = open_file(ABOVE, 12, "4500")  # 1,500 a head
    above = assistance.assess(p(official), above, assessed_on=today, assessor="王评估")
    assert above.status == HardshipFile.Status.ASSESSED and not above.qualifies
    draft = open_file(DRAFT, 13, "1200")
    return {
        "enterprise": enterprise,
        "union": union,
        "official": official,
        "hr": hr,
        "department": department,
        "on_file": on_file,
        "above": above,
        "draft": draft,
        "today": today,
    }


def test_union_official_assesses_a_file_and_pays_spring_festival_aid(page, live_url, park):
    enterprise, on_file, above, draft = park["enterprise"], park["on_file"], park["above"], park["draft"]
    today = park["today"]

    # 1. The official opens the hardship files from the menu: the enterprise's three files.
    login(page, live_url, "union1", PASSWORD)
    follow_menu(page, "assistance:list")
    expect(page).to_have_url(re.compile(r"/assistance/$"))
    expect(page.get_by_test_id("file-row")).to_have_count(3)
    no_horizontal_scroll(page)

    # 2. Registers a new worker's file: 3 members, 1,800 yuan a month = 600 a head.
    page.get_by_test_id("file-create").click()
    expect(page).to_have_url(re.compile(r"/assistance/new/$"))
    form = page.get_by_test_id("file-form")
    form.locator("select[name='enterprise']").select_option(str(enterprise.pk))
    form.locator("input[name='name']").fill(WORKER)
    form.locator("input[name='id_number']").fill(id_number(21))
    form.locator("input[name='phone']").fill("13877205678")
    form.locator("input[name='difficulties'][value='illness']").check()
    form.locator("input[name='difficulties'][value='single_parent']").check()
    form.locator("textarea[name='situation']").fill("丈夫重病住院，独自抚养两个孩子。")
    form.locator("input[name='household_size']").fill("3")
    form.locator("input[name='household_monthly_income']").fill("1800")
    no_horizontal_scroll(page)
    page.get_by_test_id("file-save").click()
    expect(page).to_have_url(re.compile(r"/assistance/[0-9a-f-]{36}/$"))
    file = HardshipFile.objects.get(name=WORKER)
    assert file.union_id == park["union"].pk and file.enterprise_id == enterprise.pk
    expect(page.get_by_test_id("file-status")).to_have_text(zh(HardshipFile.Status.DRAFT.label))
    expect(page.get_by_test_id("income-per-head")).to_have_text("600.00")
    # The ID number is masked on the page.
    expect(page.get_by_test_id("id-masked")).not_to_have_text(id_number(21))
    expect(page.locator("body")).not_to_contain_text(id_number(21))
    no_horizontal_scroll(page)

    # 3. Assesses it: 600 a head is under the threshold of 1,000.
    page.get_by_test_id("action-assess").click()
    expect(page).to_have_url(re.compile(rf"/assistance/{file.pk}/assess/$"))
    page.get_by_test_id("action-form").locator("input[name='assessor']").fill("王评估")
    page.get_by_test_id("action-form").locator("textarea[name='note']").fill(
        "入户走访核实，家庭人均收入低于标准。"
    )
    no_horizontal_scroll(page)
    page.get_by_test_id("action-submit").click()
    expect(page).to_have_url(re.compile(rf"/assistance/{file.pk}/$"))
    expect(page.get_by_test_id("file-status")).to_have_text(zh(HardshipFile.Status.ASSESSED.label))
    facts = page.get_by_test_id("file-facts")
    expect(facts).to_contain_text("1,000.00")  # amounts with thousands separators (issue 20)
    expect(facts).to_contain_text(zh("qualifies"))
    expect(page.get_by_test_id("not-qualifies")).to_have_count(0)

    # 4. Approves it: on file, the yearly review due a year later.
    page.get_by_test_id("action-approve").click()
    page.get_by_test_id("action-submit").click()
    expect(page).to_have_url(re.compile(rf"/assistance/{file.pk}/$"))
    expect(page.get_by_test_id("file-status")).to_have_text(zh(HardshipFile.Status.APPROVED.label))
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.APPROVED and file.approved_on == today
    expect(page.get_by_test_id("review-due")).to_have_text(file.review_due.isoformat())
    history = page.get_by_test_id("history-row")
    expect(history.and_(page.locator("[data-action='assess']"))).to_have_count(1)
    expect(history.and_(page.locator("[data-action='approve']"))).to_have_count(1)
    expect(page.get_by_test_id("aid-row")).to_have_count(0)
    expect(page.get_by_test_id("aid-table")).to_contain_text(zh("No aid paid yet."))
    no_horizontal_scroll(page)

    # The file above the threshold (1,500 a head) cannot be approved: the page says why and where from.
    page.goto(live_url(f"/assistance/{above.pk}/approve/"))
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("action-form").locator(".alert-danger")).to_contain_text("1,500.00")
    expect(page.get_by_test_id("action-form").locator(".alert-danger")).to_contain_text(THRESHOLD_SOURCE)
    above.refresh_from_db()
    assert above.status == HardshipFile.Status.ASSESSED

    # 5. The Spring Festival campaign: the approved files only, 500 yuan each, in one go.
    page.goto(live_url("/assistance/"))
    page.get_by_test_id("campaign-link").click()
    expect(page).to_have_url(re.compile(r"/assistance/campaign/$"))
    campaign = page.get_by_test_id("campaign-form")
    choices = campaign.locator("input[name='files']")
    expect(choices).to_have_count(2)
    for pk in (file.pk, on_file.pk):
        expect(campaign.locator(f"input[name='files'][value='{pk}']")).to_have_count(1)
    expect(campaign.locator(f"input[name='files'][value='{above.pk}']")).to_have_count(0)
    expect(campaign.locator(f"input[name='files'][value='{draft.pk}']")).to_have_count(0)
    expect(campaign.locator("select[name='kind']")).to_have_value(AidKind.SPRING_FESTIVAL)
    campaign.locator("input[name='amount']").fill("500")
    campaign.locator("input[name='funding_source']").fill("园区工会帮扶资金")
    campaign.locator("input[name='approved_by']").fill("园区工会主席 李慕江")
    choices.nth(0).check()
    choices.nth(1).check()
    no_horizontal_scroll(page)
    page.get_by_test_id("campaign-submit").click()

    # 6. The aid list: two payments, and the yearly totals (this year: 1,000 yuan, 2 people).
    expect(page).to_have_url(re.compile(r"/assistance/aid/$"))
    expect(page.get_by_test_id("aid-row")).to_have_count(2)
    paid = Aid.objects.filter(kind=AidKind.SPRING_FESTIVAL, paid_on=today)
    assert sorted(paid.values_list("file_id", flat=True)) == sorted([file.pk, on_file.pk])
    assert {a.amount for a in paid} == {Decimal("500.00")}
    totals = page.get_by_test_id("aid-totals")
    expect(totals.locator("thead th").nth(1)).to_have_text(str(today.year))
    spring = totals.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name=zh(AidKind.SPRING_FESTIVAL.label), exact=True)
    )
    expect(spring.locator("td").first).to_contain_text("1,000.00")
    expect(spring.locator("td").first).to_contain_text("2")
    medical = totals.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name=zh(AidKind.MEDICAL.label), exact=True)
    )
    expect(medical.locator("td").first).to_contain_text("0")
    expect(totals.locator("tbody tr").last.locator("td").first).to_have_text("1,000.00")
    no_horizontal_scroll(page)

    # 7. The worker's file shows the aid: kind, campaign, amount, funding source, who approved.
    page.get_by_test_id("aid-row").filter(has_text=WORKER).get_by_role("link", name=WORKER).click()
    expect(page).to_have_url(re.compile(rf"/assistance/{file.pk}/$"))
    row = page.get_by_test_id("aid-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(today.isoformat())
    expect(row).to_contain_text(zh(AidKind.SPRING_FESTIVAL.label))
    expect(row).to_contain_text(paid.get(file=file).campaign)
    expect(row).to_contain_text("500.00")
    expect(row).to_contain_text("园区工会帮扶资金")
    expect(row).to_contain_text("园区工会主席 李慕江")
    expect(page.get_by_test_id("aid-total")).to_contain_text("500.00")
    no_horizontal_scroll(page)


def test_hr_files_an_appeal_the_park_answers_and_hr_rates_it(page, live_url, park):
    enterprise = park["enterprise"]

    # 1. HR files an appeal from the appeals menu.
    login(page, live_url, "hr1", PASSWORD)
    follow_menu(page, "appeals:list")
    expect(page).to_have_url(re.compile(r"/appeals/$"))
    no_horizontal_scroll(page)
    page.get_by_test_id("appeals-file-link").click()
    expect(page).to_have_url(re.compile(r"/appeals/new/$"))
    form = page.get_by_test_id("appeal-file-form")
    form.locator("select[name='kind']").select_option(Kind.HIRING)
    form.locator("input[name='subject']").fill(SUBJECT)
    form.locator("textarea[name='text']").fill("新增两条生产线，急需数控车工20名，请协助对接劳务基地。")
    form.locator("input[name='contact_name']").fill("王芳")
    form.locator("input[name='contact_phone']").fill("13877201234")
    no_horizontal_scroll(page)
    form.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/appeals/[0-9a-f-]{36}/$"))
    appeal = Appeal.objects.get(subject=SUBJECT)
    assert appeal.enterprise_id == enterprise.pk and appeal.status == Appeal.Status.SUBMITTED
    assert appeal.due_on > appeal.submitted_on
    expect(page.locator("h1")).to_contain_text(appeal.reference)
    facts = page.get_by_test_id("appeal-facts")
    expect(facts).to_contain_text(ENTERPRISE)
    expect(facts).to_contain_text(appeal.due_on.isoformat())
    expect(page.locator("body")).to_contain_text(zh(Appeal.Status.SUBMITTED.label))
    # HR does not route or answer.
    expect(page.get_by_test_id("appeal-action-route")).to_have_count(0)
    expect(page.get_by_test_id("appeal-action-answer")).to_have_count(0)
    no_horizontal_scroll(page)

    # 2. The park administrator finds it in the queue and routes it to the employment section.
    switch_user(page, live_url, "admin1")
    follow_menu(page, "appeals:list")
    expect(page).to_have_url(re.compile(r"/appeals/$"))
    # (The queue is filtered here: opened without parameters it lists nothing, see
    # test_the_queue_opened_from_the_menu_lists_the_appeals below.)
    queue_filter = page.get_by_test_id("appeals-filter")
    queue_filter.locator("select[name='status']").select_option(Appeal.Status.SUBMITTED)
    queue_filter.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/appeals/\?.*status=submitted"))
    row = page.get_by_test_id("appeal-row").filter(has_text=appeal.reference)
    expect(row).to_have_attribute("data-status", Appeal.Status.SUBMITTED)
    expect(row).to_contain_text(ENTERPRISE)
    no_horizontal_scroll(page)
    row.get_by_role("link", name=appeal.reference).click()
    expect(page).to_have_url(re.compile(rf"/appeals/{appeal.pk}/$"))
    route = page.get_by_test_id("appeal-action-route")
    route.locator("select[name='route-department']").select_option(str(park["department"].pk))
    no_horizontal_scroll(page)
    route.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(rf"/appeals/{appeal.pk}/$"))
    expect(page.get_by_test_id("appeal-facts")).to_contain_text(DEPARTMENT)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ROUTED and appeal.department.name == DEPARTMENT

    # 3. ... and records the department's answer.
    answer = page.get_by_test_id("appeal-action-answer")
    answer.locator("textarea[name='answer-answer']").fill(ANSWER)
    answer.locator("button[type='submit']").click()
    expect(page.get_by_test_id("appeal-answer")).to_have_text(ANSWER)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED
    expect(page.get_by_test_id("appeal-action-answer")).to_have_count(0)
    expect(page.get_by_test_id("appeal-action-rate")).to_have_count(0)  # the park does not rate
    no_horizontal_scroll(page)

    # 4. HR sees the answer in their list and on the appeal, and rates it: closed.
    switch_user(page, live_url, "hr1")
    page.goto(live_url("/appeals/?status=answered"))
    row = page.get_by_test_id("appeal-row").filter(has_text=appeal.reference)
    expect(row).to_have_attribute("data-status", Appeal.Status.ANSWERED)
    expect(row).to_contain_text(DEPARTMENT)
    row.get_by_role("link", name=appeal.reference).click()
    expect(page.get_by_test_id("appeal-answer")).to_have_text(ANSWER)
    rate = page.get_by_test_id("appeal-action-rate")
    rate.locator(f"input[name='rate-satisfaction'][value='{Satisfaction.SATISFIED}']").check()
    rate.locator("textarea[name='rate-comment']").fill("对接及时，谢谢！")
    no_horizontal_scroll(page)
    rate.locator("button[type='submit']").click()
    rating = page.get_by_test_id("appeal-rating")
    expect(rating).to_contain_text(zh(Satisfaction.SATISFIED.label))
    expect(rating).to_contain_text("对接及时，谢谢！")
    expect(page.get_by_test_id("appeal-action-rate")).to_have_count(0)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED and appeal.satisfaction == Satisfaction.SATISFIED
    page.goto(live_url("/appeals/?status=closed"))
    expect(page.get_by_test_id("appeal-row").filter(has_text=appeal.reference)).to_have_attribute(
        "data-status", Appeal.Status.CLOSED
    )
    no_horizontal_scroll(page)


def test_the_queue_opened_from_the_menu_lists_the_appeals(page, live_url, park):
    from apps.appeals import services as appeals

    appeal = appeals.file_appeal(
        p(park["hr"]),
        enterprise=park["enterprise"],
        kind=Kind.TRAINING,
        subject="申请岗前技能培训补贴",
        text="新招员工30人，申请岗前培训补贴。",
        contact_name="王芳",
        contact_phone="13877201234",
    )
    login(page, live_url, "admin1", PASSWORD)
    follow_menu(page, "appeals:list")
    expect(page).to_have_url(re.compile(r"/appeals/$"))
    expect(page.get_by_test_id("appeal-row").filter(has_text=appeal.reference)).to_have_count(
        1, timeout=2_000
    )


def test_on_a_phone_the_file_list_and_the_appeal_form_fit(page, live_url, park):
    page.set_viewport_size(PHONE_SIZE)
    login(page, live_url, "union1", PASSWORD)
    page.goto(live_url("/assistance/"))
    expect(page.get_by_test_id("file-row")).to_have_count(3)
    expect(page.get_by_test_id("file-filter")).to_be_visible()
    no_horizontal_scroll(page)

    switch_user(page, live_url, "hr1")
    page.goto(live_url("/appeals/new/"))
    form = page.get_by_test_id("appeal-file-form")
    expect(form.locator("textarea[name='text']")).to_be_visible()
    no_horizontal_scroll(page)
    # The form is usable at that width: the fields are not cut off.
    box = form.locator("input[name='subject']").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SIZE["width"]
