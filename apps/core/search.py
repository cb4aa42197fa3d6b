"""The search across modules (issue 20): one box that finds an enterprise, a case, a certificate
or a worker, each within the user's scope.

The shell (`apps.dashboard.views_search`) reads what the user typed into a `SearchQuery` once:
the text, what it looks like (a serial or document number, a unified social credit code, a
resident ID number) and, for an ID number, its keyed hash (`personal_data.lookup_hash`: the
number itself is never compared, stored or logged). Each module answers through a hook on its
AppConfig, read by name like the others (`apps/core/facts.py`):

    search = "apps.x.selectors.search"      # (principal, query: SearchQuery) -> list[dict]

The function answers only what it can (an exact or index-backed look-up of its own numbers, the
keyed hash of its own ID numbers), within `Model.objects.visible_to(principal)`, at most
`PER_KIND` rows per kind, without a query per row. What it returns, built with the helpers below:

- `hit(module, kind, title, subtitle, url)`: one thing found;
- `searched(module, kind)`: the module looked for `kind` (so an empty answer says "nothing
  found among ..." and never suggests the user saw everything);
- `denied(module, kind)`: the user's role may not search `kind` this way (an ID number without
  the module's permission to see identities): the page says so instead of "no results";
- `more(module, kind, url)`: there are more than `PER_KIND`; the link opens the module's list.

Entries found through the ID number carry `by_id=True`: the shell writes one audit event per
search by ID number with the modules that answered and their counts, never the number or its hash.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .personal_data import lookup_hash, mask_id_number, search_token, validate_id_number

#: Fewer characters than this is a form error, not a scan of every name.
MIN_LENGTH = 2
#: A name, a number or a code is never longer (the longest stored number is 40 characters).
MAX_LENGTH = 100
#: Rows per kind of thing found; a module says when there are more (`more`).
PER_KIND = 10

#: A serial or document number, or its beginning: letters, then digits, then digits, letters and
#: dashes (`TJ2026-00042`, `JC2026`, `FY2026-00003`, `SQ202600012`, `HX2025-AAA-0007`).
SERIAL_RE = re.compile(r"^[A-Z]{1,8}[0-9][0-9A-Z-]{0,38}$")
#: Control characters (NUL, line feeds...), dropped from what is typed.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The shape of a unified social credit code (GB 32100-2015): 18 digits and capital letters.
CREDIT_CODE_RE = re.compile(r"^[0-9A-Z]{18}$")
#: The shape of a resident ID number (GB 11643-1999): 17 digits and a digit or X.
ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")


def looks_like_id_number(text: str) -> bool:
    """Whether `text` has the shape of a resident ID number (valid or not)."""
    return bool(ID_NUMBER_RE.match(compact_text(text)))


def clean_text(text) -> str:
    """What was typed, stripped, without control characters: they mean nothing in a name or a
    number (and PostgreSQL refuses NUL in text). Names are searched as typed (the registry writes
    full-width brackets: 有限公司（柳州）)."""
    return CONTROL_RE.sub("", text if isinstance(text, str) else "").strip()


def compact_text(text: str) -> str:
    """A number or code as typed: in NFKC form (a Chinese input method's full-width ＴＪ２０２６ is
    TJ2026), without spaces, in capitals."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


@dataclass(frozen=True)
class SearchQuery:
    """What the user typed, read once for every module.

    `text`: stripped; `compact`: upper case without spaces; `serial`: `compact` when it looks like
    a serial or document number (else ""); `credit_code`: `compact` when it has the shape of a
    unified social credit code; `id_hash`: the keyed hash of a valid resident ID number, when this
    request may search by ID number (else ""); `id_masked`: that number masked (4502****...123X),
    to show beside what is found; `id_token`: a signed token carrying only the hash, for the links
    into a module's list (`personal_data.search_token`); `id_problem`: why a text shaped like an
    ID number is not searched as one (an invalid number, or a number typed into an address)."""

    text: str
    compact: str = ""
    serial: str = ""
    credit_code: str = ""
    id_hash: str = ""
    id_masked: str = ""
    id_token: str = ""
    id_problem: str = ""

    @property
    def by_id(self) -> bool:
        return bool(self.id_hash)

    @property
    def looks_like_id(self) -> bool:
        return bool(ID_NUMBER_RE.match(self.compact))


def parse(text, *, id_allowed: bool) -> SearchQuery:
    """The query for `text`, or a ValidationError saying why it is not searched (too short, too
    long). `id_allowed`: whether an ID number may be searched in this request (only when it came
    in a form's body, never from an address: docs/security.md, "Never in an address")."""
    text = clean_text(text)
    if len(text) < MIN_LENGTH:
        raise ValidationError(
            _("Type at least %(min)d characters: a name, a number or a code."),
            code="min_length",
            params={"min": MIN_LENGTH},
        )
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            _("Type at most %(max)d characters (this is %(length)d)."),
            code="max_length",
            params={"max": MAX_LENGTH, "length": len(text)},
        )
    compact = compact_text(text)
    fields = {
        "text": text,
        "compact": compact,
        "serial": compact if SERIAL_RE.match(compact) else "",
        "credit_code": compact if CREDIT_CODE_RE.match(compact) else "",
    }
    if ID_NUMBER_RE.match(compact):
        if not id_allowed:
            fields["id_problem"] = _(
                "ID numbers are searched only through the search box, which sends them without "
                "putting them in the page's address: type the number again."
            )
        else:
            try:
                number = validate_id_number(compact)
            except ValidationError as exc:
                # Not a valid ID number (it may still be a credit code): say why it is not searched.
                fields["id_problem"] = " ".join(exc.messages)
            else:
                fields.update(
                    id_hash=lookup_hash(number),
                    id_masked=mask_id_number(number),
                    id_token=search_token(number),
                )
    return SearchQuery(**fields)


def hit(module: str, kind, title, subtitle="", url: str = "", *, by_id: bool = False) -> dict:
    """One thing found: `module` is the app label, `kind` a (translatable) label of what it is."""
    return {"module": module, "kind": kind, "title": title, "subtitle": subtitle, "url": url, "by_id": by_id}


def searched(module: str, kind, *, by_id: bool = False) -> dict:
    """The module looked for `kind` (found or not)."""
    return {"module": module, "kind": kind, "searched": True, "by_id": by_id}


def denied(module: str, kind) -> dict:
    """The user's role may not search `kind` this way: said on the page, never "no results"."""
    return {"module": module, "kind": kind, "denied": True, "by_id": True}


def more(module: str, kind, url: str) -> dict:
    """More than `PER_KIND` found; `url` opens the module's list with the same search."""
    return {"module": module, "kind": kind, "more_url": url, "by_id": False}


def may(principal, permission: str) -> bool:
    """Whether the principal is a signed-in user holding `permission` (the search is a page: API
    clients have their own lists and the ID search of `/api/v1/contracts/id-search/`)."""
    user = principal.user
    return user is not None and user.is_authenticated and user.has_perm(permission)


@dataclass
class SearchGroup:
    """What one module answered: its hits by kind, the kinds it found nothing of, the kinds the
    user may not search there, and the links to more."""

    module: str
    label: str
    hits: list
    empty: list
    refused: list
    more: list
    #: Whether the module looked for something by the ID number's keyed hash.
    by_id: bool = False


def run(principal, query: SearchQuery) -> list[SearchGroup]:
    """Every module's answer, in the order of the installed apps, each module's entries grouped:
    modules that answered nothing at all are left out."""
    groups = []
    for config in apps.get_app_configs():
        path = getattr(config, "search", None)
        if not path:
            continue
        entries = import_string(path)(principal, query)
        if not entries:
            continue
        hits = [e for e in entries if "title" in e]
        found_kinds = {str(e["kind"]) for e in hits}
        groups.append(
            SearchGroup(
                module=config.label,
                label=str(config.verbose_name),
                hits=hits,
                empty=_unique(
                    e["kind"] for e in entries if e.get("searched") and str(e["kind"]) not in found_kinds
                ),
                refused=_unique(e["kind"] for e in entries if e.get("denied")),
                more=[e for e in entries if e.get("more_url")],
                by_id=any(e.get("by_id") and not e.get("denied") for e in entries),
            )
        )
    return groups


def summary(groups: list[SearchGroup]) -> dict:
    """For the page: the groups with something found, and every module's kinds found empty and
    refused, each as one list ("Nothing found among: ...", "Your role may not search: ...")."""
    return {
        "found": [g for g in groups if g.hits],
        "empty": _unique(k for g in groups for k in g.empty),
        "refused": _unique(k for g in groups for k in g.refused),
        "count": sum(len(g.hits) for g in groups),
    }


def _unique(kinds) -> list:
    seen, out = set(), []
    for kind in kinds:
        if str(kind) not in seen:
            seen.add(str(kind))
            out.append(kind)
    return out


def id_search_summary(groups: list[SearchGroup]) -> dict:
    """For the audit event of a search by ID number: the modules that searched by it and how many
    they found, the modules where the role may not, the total. Never the number or its hash."""
    modules: dict[str, int] = {}
    refused = []
    for group in groups:
        if group.by_id:
            modules[group.module] = sum(1 for h in group.hits if h.get("by_id"))
        if group.refused:
            refused.append(group.module)
    return {"modules": modules, "refused": refused, "hits": sum(modules.values())}
