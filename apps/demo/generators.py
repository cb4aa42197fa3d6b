"""Generators for the demo park: realistic Chinese enterprise and person names, valid unified
social credit codes (GB 32100-2015) and phone numbers. Deterministic for a given random seed."""

from __future__ import annotations

import random

from stdnum.cn import uscc as uscc_mod

#: The demo district and its two towns (seed 003: 柳东新区, 雒容镇, 洛埠镇). Division codes are
#: illustrative, in the Liuzhou range.
DISTRICT = ("柳东新区", "450271")
TOWNS = [("雒容镇", "450271100"), ("洛埠镇", "450271101")]

CITY_PREFIXES = ["柳州", "柳州市", "广西", "柳州东城", "柳东"]
STEMS = [
    "华达",
    "鑫源",
    "远航",
    "宏盛",
    "通力",
    "恒泰",
    "瑞丰",
    "金桥",
    "德润",
    "凯越",
    "博远",
    "天成",
    "盛世",
    "东风",
    "佳利",
    "永信",
    "汇通",
    "精诚",
    "荣昌",
    "祥和",
    "新亚",
    "立信",
    "中恒",
    "富林",
    "安泰",
    "锦程",
    "宝骏",
    "龙城",
    "弘业",
    "卓越",
    "奥得",
    "双英",
    "联合",
    "万友",
    "裕达",
    "辉煌",
    "创新",
    "启航",
    "同创",
    "嘉禾",
]
INDUSTRIES = [
    ("C", "汽车零部件制造"),
    ("C", "机械制造"),
    ("C", "电子科技"),
    ("C", "新材料科技"),
    ("C", "塑料制品"),
    ("C", "模具制造"),
    ("C", "汽车座椅"),
    ("C", "精密铸造"),
    ("C", "食品"),
    ("C", "电气设备"),
    ("G", "物流"),
    ("G", "供应链管理"),
    ("E", "建筑工程"),
    ("F", "商贸"),
    ("I", "信息技术"),
    ("M", "检测技术"),
    ("N", "环保科技"),
    ("O", "物业服务"),
    ("H", "餐饮管理"),
    ("L", "人力资源服务"),
]
SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙莫陆"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕红梅晓东春花文斌丹丹永健"


def org_code(rng: random.Random) -> str:
    """A 9-character organisation code with its GB 11714 check character."""
    body = [rng.randint(0, 9) for _ in range(8)]
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    c = 11 - sum(d * w for d, w in zip(body, weights, strict=True)) % 11
    check = "X" if c == 10 else "0" if c == 11 else str(c)
    return "".join(map(str, body)) + check


def make_uscc(rng: random.Random, region: str = "450271") -> str:
    """A valid unified social credit code: 9 (market regulator) 1 (enterprise), region, org code, check."""
    first17 = "91" + region[:6] + org_code(rng)
    code = first17 + uscc_mod.calc_check_digit(first17)
    return uscc_mod.validate(code)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(str(rng.randint(0, 9)) for _ in range(9))


def enterprise_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """n distinct (name, industry section letter) pairs, e.g. ("柳州华达汽车零部件制造有限公司", "C")."""
    seen, out = set(), []
    while len(out) < n:
        section, trade = rng.choice(INDUSTRIES)
        name = f"{rng.choice(CITY_PREFIXES)}{rng.choice(STEMS)}{trade}{rng.choice(SUFFIXES)}"
        if name not in seen:
            seen.add(name)
            out.append((name, section))
    return out
