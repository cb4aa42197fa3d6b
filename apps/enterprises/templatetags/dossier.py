from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, section):
    """Render one dossier section's template with its own context plus the enterprise, the
    principal and the request (sections come from the modules' `dossier_sections` hooks)."""
    if not section.get("template"):
        return ""
    ctx = {
        "enterprise": context.get("enterprise"),
        "principal": context.get("principal"),
        "perms": context.get("perms"),
        **section.get("context", {}),
    }
    return render_to_string(section["template"], ctx, request=context.get("request"))
