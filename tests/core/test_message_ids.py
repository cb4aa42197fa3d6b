"""Message ids are English (issue 20: `(默认目标（园区创建方案）/ default targets of the park plan)`,
`撤销日期 2026-10-27. 理由:`). A Chinese term a page must show whatever the language (an example
of what to type, a document's number) goes into the message as a placeholder; the Chinese catalogue
(locale/zh_Hans) gives the Chinese text."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
}

TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?\b[^%]*%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
UNDERSCORE = re.compile(r"""_\((?:"([^"]*)"|'([^']*)')\)""")


def python_message_ids():
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in GETTEXT:
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield str(path.relative_to(ROOT)), node.lineno, arg.value


def template_message_ids():
    for path in sorted(
        [*(ROOT / "apps").rglob("templates/**/*.html"), *(ROOT / "templates").rglob("*.html")]
    ):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
        for pattern in (TRANSLATE, BLOCK, UNDERSCORE):
            for found in pattern.finditer(text):
                message = next(group for group in found.groups() if group is not None)
                yield str(path.relative_to(ROOT)), text.count("\n", 0, found.start()) + 1, message


def test_every_message_id_is_english():
    mixed = [
        f"{path}:{line}: {message[:80]!r}"
        for path, line, message in [*python_message_ids(), *template_message_ids()]
        if CJK.search(message)
    ]
    assert not mixed, "message ids with Chinese in them:\n" + "\n".join(mixed)


def test_the_scan_finds_message_ids():
    """The scan reads real message ids (else the test above would pass on nothing)."""
    python = {message for _path, _line, message in python_message_ids()}
    templates = {message for _path, _line, message in template_message_ids()}
    assert "Enter %(yes)s or %(no)s (yes or no)." in python
    assert "Revoked on {{ date }}." in templates and "Veto events" in templates
