"""The default certification rule set of the domain guide §4, loaded by migration 0002 and by
tests. Kept as plain data so a province's own set can be written the same way."""

from decimal import Decimal

LEVELS = [
    # rank, code, name, cut-off, months at the level below
    (1, "A", "A级", "80", 12),
    (2, "AA", "AA级", "85", 12),
    (3, "AAA", "AAA级", "90", 12),
]

#: 一票否决, 24-month look-back (domain guide §4).
VETOES = [
    ("child_labour", "使用童工"),
    ("major_accident", "发生较大及以上生产安全事故或职业病危害事故"),
    ("wage_arrears_blacklist", "被列入拖欠农民工工资失信联合惩戒对象名单"),
    ("mass_incident", "因劳动争议引发群体性事件"),
    ("serious_violation", "重大劳动保障违法行为被社会公布"),
    ("seriously_dishonest", "被列为严重失信主体"),
]

#: Categories → items (code, criterion, maximum points, evidence required). Totals 100.
FORM = [
    (
        "contracts",
        "劳动合同与用工备案",
        [
            ("signing", "依法与职工签订书面劳动合同，签订率达到100%", "6", True),
            ("filing", "劳动合同依法备案，用工登记及时", "3", True),
            ("dispatch", "规范使用劳务派遣，被派遣劳动者不超过用工总量的10%", "3", True),
        ],
    ),
    (
        "wages",
        "工资支付",
        [
            ("minimum_wage", "工资不低于当地最低工资标准", "4", True),
            ("overtime_pay", "依法支付加班工资", "3", True),
            ("no_arrears", "按月足额支付工资，无拖欠克扣", "4", True),
            ("growth", "建立职工工资正常增长机制", "3", True),
        ],
    ),
    (
        "hours",
        "工作时间和休息休假",
        [
            ("working_time", "执行国家工时制度，特殊工时制度经人社部门批准", "4", True),
            ("leave", "依法安排法定节假日和带薪年休假", "4", True),
        ],
    ),
    (
        "insurance",
        "社会保险",
        [
            ("coverage", "依法为全部职工参加各项社会保险", "6", True),
            ("contributions", "按时足额缴纳社会保险费", "4", True),
        ],
    ),
    (
        "safety",
        "劳动安全卫生",
        [
            ("responsibility", "建立安全生产责任制，定期开展安全生产培训", "4", True),
            ("protection", "提供合格劳动防护用品，组织职业健康检查", "4", True),
            ("no_accident", "近两年未发生一般及以上生产安全事故", "2", False),
        ],
    ),
    (
        "special_protection",
        "女职工和未成年工特殊保护",
        [
            ("women", "落实女职工经期、孕期、产期、哺乳期保护", "3", True),
            ("minors", "未成年工定期健康检查，不安排禁忌劳动", "3", False),
        ],
    ),
    (
        "collective",
        "集体协商和集体合同",
        [
            ("wage_bargaining", "开展工资集体协商，签订工资专项集体合同", "5", True),
            ("collective_contract", "签订集体合同并报人社部门审查", "5", True),
        ],
    ),
    (
        "democratic",
        "民主管理",
        [
            ("congress", "建立职工代表大会制度并定期召开", "5", True),
            ("disclosure", "实行厂务公开", "5", True),
        ],
    ),
    (
        "union",
        "工会组织建设",
        [
            ("union", "依法建立工会，职工入会率达到85%以上", "5", True),
            ("dues", "依法拨缴工会经费", "3", True),
        ],
    ),
    (
        "disputes",
        "劳动争议预防调处",
        [
            ("committee", "建立企业劳动争议调解委员会并有效运行", "4", True),
            ("no_incident", "近两年未发生因劳动争议引发的群体性事件", "3", False),
        ],
    ),
    (
        "care",
        "职工培训与关爱",
        [
            ("training", "开展职工职业技能培训", "3", True),
            ("care", "开展职工关爱和文体活动", "2", False),
        ],
    ),
]

#: Items the platform can check → (fact code of `apps.core.facts`, test, threshold) (issue 17;
#: domain guide §9). Applied by `create_default` and, to rule sets whose item codes match, by
#: migration 0006. Kept as data: an administrator changes a mapping in the admin like any item.
ITEM_FACTS = {
    # 依法与职工签订书面劳动合同，签订率达到100%: the book's signing rate (劳动合同法第十条).
    "signing": ("contracts.signing_rate", "at_least", "100"),
    "collective_contract": ("unions.collective_contract", "is_true", None),
    "wage_bargaining": ("unions.wage_agreement", "is_true", None),
    "congress": ("unions.congress_held", "is_true", None),
    "union": ("unions.has_union", "is_true", None),
    # 近两年未发生因劳动争议引发的群体性事件: mediation's mass incidents in the 24-month look-back.
    "no_incident": ("mediation.mass_incidents", "equals_zero", None),
    # 按月足额支付工资，无拖欠克扣: not on the wage-arrears list now.
    "no_arrears": ("inspection.arrears_listed", "is_false", None),
}

SETTINGS = {
    "name": "劳动关系和谐企业认定标准",
    "source": "柳东新区劳动关系和谐企业认定工作方案（2022）；桂人社规〔2018〕4号",
    "min_employees": 10,
    "min_years_operating": 1,
    "group_ratio_numerator": 2,
    "group_ratio_denominator": 3,
    "disclosure_min_days": 15,
    "disclosure_congress_allowed": True,
    "notice_length": 5,
    "notice_unit": "working_days",
    "validity_years": 3,
    "report_grace_days": 30,
    "coverage_target": "0.900",
    "issuer": "{region}构建和谐劳动关系工作领导小组",
    "certificate_title": "劳动关系和谐企业",
    "certificate_wording": "{enterprise}：\n经认定，你单位被评为{region}{round}劳动关系和谐企业（{level}级）。\n特发此证，以资鼓励。",
    "number_prefix": "HX",
}


def create_default(RuleSet, Level, VetoRule, Category, Item, *, region: str, year: int):
    """Create the default rule set with the given (historical or current) model classes."""
    data = dict(SETTINGS)
    data["issuer"] = data["issuer"].format(region=region)
    data["coverage_target"] = Decimal(data["coverage_target"])
    rule_set = RuleSet.objects.create(region=region, year=year, version=1, **data)
    for rank, code, name, cutoff, months in LEVELS:
        Level.objects.create(
            rule_set=rule_set,
            rank=rank,
            code=code,
            name=name,
            min_score=Decimal(cutoff),
            months_at_lower=months,
        )
    for order, (code, name) in enumerate(VETOES):
        VetoRule.objects.create(rule_set=rule_set, order=order, code=code, name=name, lookback_months=24)
    with_facts = _has_fact_fields(Item)
    for c_order, (code, name, items) in enumerate(FORM):
        category = Category.objects.create(rule_set=rule_set, order=c_order, code=code, name=name)
        for i_order, (i_code, text, points, evidence) in enumerate(items):
            Item.objects.create(
                category=category,
                order=i_order,
                code=i_code,
                text=text,
                max_points=Decimal(points),
                evidence_required=evidence,
                **(fact_fields(i_code) if with_facts else {}),
            )
    return rule_set


def _has_fact_fields(Item) -> bool:
    # Migration 0002 calls `create_default` with the historical Item, before the mapping existed.
    return any(f.name == "fact_code" for f in Item._meta.get_fields())


def fact_fields(item_code: str) -> dict:
    """The default mapping of an item code as Item fields ({} when the platform cannot check it)."""
    if item_code not in ITEM_FACTS:
        return {}
    code, test, threshold = ITEM_FACTS[item_code]
    return {
        "fact_code": code,
        "fact_test": test,
        "fact_threshold": Decimal(threshold) if threshold is not None else None,
    }


def apply_default_facts(Item) -> int:
    """Map the items of every rule set whose codes match the default form and that have no
    mapping yet (migration 0006). Returns the number of items mapped."""
    count = 0
    for item in Item.objects.filter(code__in=list(ITEM_FACTS), fact_code=""):
        for name, value in fact_fields(item.code).items():
            setattr(item, name, value)
        item.save(update_fields=["fact_code", "fact_test", "fact_threshold"])
        count += 1
    return count
