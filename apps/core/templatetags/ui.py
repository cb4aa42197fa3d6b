from django import forms, template

register = template.Library()


@register.filter
def bs_widget(field):
    """Render a bound field's widget with Bootstrap classes (and is-invalid when it has errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def checked_labels(field) -> list[str]:
    """The labels of the chosen values of a bound field of several choices (a filter of
    checkboxes), in the choices' order."""
    values = field.value() or []
    if not isinstance(values, list | tuple):
        values = [values]
    chosen = {str(v) for v in values}
    return [str(label) for value, label in field.field.choices if str(value) in chosen]
