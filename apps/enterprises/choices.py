"""Code lists of the enterprise registry.

Industry sections follow the national industry classification GB/T 4754-2017 (国民经济行业分类,
top level 门类 A-T). Ownership types follow the registration types used in labour statistics
(登记注册类型), condensed to the groups park reports use. Size bands follow the employee thresholds
for industry in 统计上大中小微型企业划分办法 (国家统计局, 2017).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections (门类)."""

    A = "A", _("A Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("B Mining")
    C = "C", _("C Manufacturing")
    D = "D", _("D Electricity, heat, gas and water supply")
    E = "E", _("E Construction")
    F = "F", _("F Wholesale and retail trade")
    G = "G", _("G Transport, storage and postal services")
    H = "H", _("H Accommodation and catering")
    I = "I", _("I Information transmission, software and IT services")  # noqa: E741
    J = "J", _("J Finance")
    K = "K", _("K Real estate")
    L = "L", _("L Leasing and business services")
    M = "M", _("M Scientific research and technical services")
    N = "N", _("N Water conservancy, environment and public facilities management")
    O = "O", _("O Resident services, repair and other services")  # noqa: E741
    P = "P", _("P Education")
    Q = "Q", _("Q Health and social work")
    R = "R", _("R Culture, sports and entertainment")
    S = "S", _("S Public administration, social security and social organisations")
    T = "T", _("T International organisations")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    PRIVATE = "private", _("Private")
    JOINT_STOCK = "joint_stock", _("Joint-stock / limited liability")
    HMT = "hmt", _("Hong Kong, Macao or Taiwan invested")
    FOREIGN = "foreign", _("Foreign invested")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPERATING = "operating", _("Operating")
    MOVED_OUT = "moved_out", _("Moved out")
    CLOSED = "closed", _("Closed")


class SizeBand(models.TextChoices):
    """Employee bands (industry thresholds of 统计上大中小微型企业划分办法 2017)."""

    MICRO = "micro", _("Micro (under 20)")
    SMALL = "small", _("Small (20–299)")
    MEDIUM = "medium", _("Medium (300–999)")
    LARGE = "large", _("Large (1,000 or more)")


#: (band, lowest employees, highest employees or None)
SIZE_BAND_LIMITS = [
    (SizeBand.MICRO, 0, 19),
    (SizeBand.SMALL, 20, 299),
    (SizeBand.MEDIUM, 300, 999),
    (SizeBand.LARGE, 1000, None),
]


def size_band(employees: int | None) -> str | None:
    if employees is None:
        return None
    for band, low, high in SIZE_BAND_LIMITS:
        if employees >= low and (high is None or employees <= high):
            return band
    return None
