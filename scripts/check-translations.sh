#!/usr/bin/env bash
# Fail when a UI string has no Chinese translation: re-extract the messages into a scratch copy
# of the catalogue and count untranslated or fuzzy entries. The committed catalogue is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
po=locale/zh_Hans/LC_MESSAGES/django.po
backup="$(mktemp)"
cp "$po" "$backup"
restore() { cp "$backup" "$po"; rm -f "$backup"; }
trap restore EXIT
# xgettext only knows the standard names (_, gettext, gettext_lazy, pgettext...): a string marked
# through another alias would never reach the catalogue and stay English.
if grep -rnP "gettext\w*\s+as\s+(?!_\b)\w+" --include=*.py apps config >&2; then
    echo "Import gettext functions under their own name or as _, not another alias (see above)." >&2
    exit 1
fi
.venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete --no-location \
    --ignore=.venv --ignore=static/vendor --ignore=test-artifacts --ignore=tests >/dev/null
untranslated="$(msgattrib --untranslated --no-wrap "$po" | grep -c '^msgid "' || true)"
fuzzy="$(msgattrib --only-fuzzy --no-wrap "$po" | grep -c '^msgid "' || true)"
# msgattrib prints the header entry (msgid "") when anything else is listed.
[[ "$untranslated" -gt 0 ]] && untranslated=$((untranslated - 1))
[[ "$fuzzy" -gt 0 ]] && fuzzy=$((fuzzy - 1))
if [[ "$untranslated" -ne 0 || "$fuzzy" -ne 0 ]]; then
    echo "Translations incomplete: $untranslated untranslated, $fuzzy fuzzy. Run 'make messages' and translate:" >&2
    msgattrib --untranslated --no-wrap "$po" | grep '^msgid "' | tail -n +2 >&2 || true
    msgattrib --only-fuzzy --no-wrap "$po" | grep '^msgid "' | tail -n +2 >&2 || true
    exit 1
fi
echo "Translations complete."
