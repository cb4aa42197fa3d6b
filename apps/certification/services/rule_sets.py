"""Rule sets: a rule set in use never changes; `new_rule_set_version` is how it changes."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.errors import NotAllowed

from ..models import Item, Level, RuleSet, VetoRule
from ..workflow import may_manage_rule_sets


@transaction.atomic
def new_rule_set_version(principal, rule_set: RuleSet, **changes) -> RuleSet:
    """Copy a rule set with its levels, vetoes and scoring form into the next version, applying
    `changes` to the copy. A rule set in use is never edited: this is how it changes."""
    if not may_manage_rule_sets(principal):
        raise NotAllowed(_("Only park administrators manage rule sets."))
    source = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    latest = (
        RuleSet.objects.filter(region=source.region, year=source.year).aggregate(v=Max("version"))["v"] or 0
    )
    levels = list(source.levels.all())
    vetoes = list(source.veto_rules.all())
    categories = [(c, list(c.items.all())) for c in source.categories.all()]
    copy = RuleSet.objects.get(pk=source.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.version = latest + 1
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    for lv in levels:
        lv.pk = None
        lv.rule_set = copy
    Level.objects.bulk_create(levels)
    for v in vetoes:
        v.pk = None
        v.rule_set = copy
    VetoRule.objects.bulk_create(vetoes)
    for cat, items in categories:
        cat.pk = None
        cat.rule_set = copy
        cat.save()
        for it in items:
            it.pk = None
            it.category = cat
        Item.objects.bulk_create(items)
    audit.record("certification.new_rule_set_version", copy, after=audit.snapshot(copy), note=str(source))
    return copy
