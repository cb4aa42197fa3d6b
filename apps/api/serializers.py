"""Serializer pieces shared by every module's API: who is asking, and references that resolve
only among what the caller may see."""

from django.db.models import Q
from rest_framework import serializers
from rest_framework.fields import empty


def principal_of(serializer):
    """The principal `ScopedViewMixin` put in the serializer context (None in schema generation)."""
    return serializer.context.get("principal")


class AreaRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    code = serializers.CharField()


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that resolves only among the objects the principal in the serializer context
    may see (`Model.objects.visible_to(principal)`), optionally widened by `also`."""

    def __init__(self, model, also=None, **kwargs):
        self.model = model
        self.also = also
        kwargs["queryset"] = model.objects.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        principal = principal_of(self)
        if principal is None:
            return self.model.objects.none()
        visible = self.model.objects.visible_to(principal)
        if self.also is not None:
            return self.model.objects.filter(Q(pk__in=visible.values("pk")) | self.also)
        return visible


class BlankAsNullMixin:
    """A read-only value stored blank when absent (`""`), answered as `null`: `""` is not one of an
    enum's values nor an e-mail address, so the schema (`nullable`) and the answer agree."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(*args, **kwargs)

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)


class BlankAsNullChoiceField(BlankAsNullMixin, serializers.ChoiceField):
    pass


class BlankAsNullEmailField(BlankAsNullMixin, serializers.EmailField):
    pass


class OptionalChoiceField(serializers.ChoiceField):
    """Generated clients: an optional choice of a request body, which a client may leave out, send
    as `null` (the schema says `nullable`) or, as before, as `""`: all three mean "none", so the
    key is left out of the validated data (the serializer's `default`, if it has one, applies).
    `""` is accepted but not documented: it is not one of the enum's values."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs["allow_null"] = True
        kwargs["allow_blank"] = False
        super().__init__(*args, **kwargs)

    def validate_empty_values(self, data):
        if data is None or data == "":
            data = empty
        return super().validate_empty_values(data)
