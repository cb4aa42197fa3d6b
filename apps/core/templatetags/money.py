"""`{% load money %}`: amounts in yuan with thousands separators (apps.core.money).

- `{{ amount|yuan }}` → "2,460,633.00" (for a column headed "… (yuan)");
- `{{ amount|yuan_unit }}` → "2,460,633.00元" / "2,460,633.00 yuan" (in running text);
- `{{ amount|yuan:"—" }}` → "—" when there is no amount.
"""

from django import template

from apps.core.money import format_yuan, format_yuan_unit

register = template.Library()


@register.filter(is_safe=True)
def yuan(value, default=""):
    return format_yuan(value, default=default)


@register.filter(is_safe=True)
def yuan_unit(value, default=""):
    return format_yuan_unit(value, default=default)
