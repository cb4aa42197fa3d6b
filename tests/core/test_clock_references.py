"""The clock is read when it is needed, never captured on import.

`initial=timezone.localdate` keeps a reference to the function as it was when the module was
imported: the run's one-calendar-day patch (tests/conftest.py) and any hook that moves the clock
miss it, and a form shown after midnight then offers a day the service calls the future (CI,
2026-12-06). Forms and models look the clock up through a small function instead."""

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps"
CLOCK = {"localdate", "now"}


def _captured(source: str) -> list[int]:
    """Lines where `timezone.localdate` or `timezone.now` is referenced without being called."""
    tree = ast.parse(source)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in CLOCK
        and isinstance(node.value, ast.Name)
        and node.value.id == "timezone"
        and id(node) not in called
    ]


def captured_references() -> list[str]:
    found = []
    for path in sorted(APPS.rglob("*.py")):
        if "migrations" in path.parts:  # generated code (Django's own `default=timezone.now`)
            continue
        for number in _captured(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(APPS.parent)}:{number}")
    return found


def test_no_module_captures_the_clock_on_import():
    assert captured_references() == []


def test_the_guard_sees_a_captured_reference():
    assert _captured("x = forms.DateField(initial=timezone.localdate)") == [1]
    assert _captured("created = models.DateTimeField(default=timezone.now)") == [1]
    assert _captured('today = timezone.localdate()\n"""docstring: timezone.now"""') == []
