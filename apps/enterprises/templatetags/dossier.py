from django import template

from apps.enterprises.selectors import render_section as render

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, section):
    """Render one dossier section's template with its own context plus the enterprise, the
    principal and the request (sections come from the modules' `dossier_sections` hooks)."""
    base = {
        "enterprise": context.get("enterprise"),
        "principal": context.get("principal"),
        "perms": context.get("perms"),
    }
    return render(section, base, request=context.get("request"))
