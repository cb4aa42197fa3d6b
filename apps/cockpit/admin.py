from django.contrib import admin

from .models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """[POLICY] The park's targets of the cockpit's figures: a new row from a date keeps the
    earlier periods' targets for their reports."""

    list_display = ("code", "value", "valid_from", "source")
    list_filter = ("code",)
    ordering = ("code", "-valid_from")
