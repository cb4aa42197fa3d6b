"""A signal provider for the risk tests, registered on the risk app's AppConfig by the
`fake_signals` fixture: the tests decide each enterprise's signals exactly."""

from apps.core.facts import Signal, SignalKind

SIGNAL_KINDS = [
    SignalKind("test.complaint", "Test complaints", weight=8, actor="inspection", source="test", cap=5),
    SignalKind("test.collective", "Test collective disputes", weight=15, actor="union", source="test", cap=2),
    SignalKind(
        "test.no_contract", "Test workers without a contract", weight=5, actor="town", source="test", cap=6
    ),
]

#: enterprise id (str) -> list of (code, count, last_on, url, permission)
SIGNALS: dict = {}


def risk_signals(today, enterprise_ids=None):
    wanted = None if enterprise_ids is None else {str(i) for i in enterprise_ids}
    for enterprise_id, rows in SIGNALS.items():
        if wanted is not None and enterprise_id not in wanted:
            continue
        for code, count, last_on, url, permission in rows:
            yield Signal(
                enterprise_id=enterprise_id,
                code=code,
                count=count,
                last_on=last_on,
                detail=f"{count} records",
                ref_type="testapp.thing",
                ref_id="42",
                url=url,
                permission=permission,
            )
