"""Filters of the agreement PDF (templates/mediation/pdf/agreement.html)."""

from django import template

from apps.core import personal_data

register = template.Library()


@register.filter
def personal_data_clear(token: str) -> str:
    """The clear value of an encrypted token of the PDF's stored context (an applicant's ID
    number), read only while rendering; empty when there is none or it can no longer be read
    (the keys changed), so the line is left blank to fill by hand."""
    if not token:
        return ""
    try:
        return personal_data.decrypt(token)
    except ValueError:
        return ""
