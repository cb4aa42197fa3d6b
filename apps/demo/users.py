"""The demo park's logins, shared by `seed_demo` and `seed_scale`."""

from apps.core.principal import Role

#: Demo logins (documented in README.md). Only for the demo park, never for production.
DEMO_PASSWORD = "Demo-2026!"  # noqa: S105
DEMO_USERS = [
    ("admin", "张莉", Role.PARK_ADMIN, "park"),
    ("hr", "李娜", Role.ENTERPRISE_HR, "enterprise"),
    ("union", "李慕江", Role.UNION_OFFICIAL, "union"),
    ("mediator", "罗浩", Role.MEDIATOR, "mediation"),
    ("inspector", "覃正忠", Role.INSPECTOR, "inspection"),
    # A leader of the park's leading group office (issue 20): the cockpit and the reports only.
    ("leader", "黄建国", Role.LEADER, "park"),
]

__all__ = ["DEMO_PASSWORD", "DEMO_USERS"]
