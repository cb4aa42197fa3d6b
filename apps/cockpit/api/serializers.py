"""The statistics API's answer (issue 20 item 4): the cockpit's figures, as the page shows them."""

from rest_framework import serializers

from .. import choices


class FigureSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(choices.FIGURE_ORDER), help_text="The figure's stable code.")
    label = serializers.CharField(help_text="The figure's name in the caller's language.")
    value = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
        help_text="Percent, count, yuan or days (see unit); null when there is nothing to divide by.",
    )
    unit = serializers.ChoiceField(choices=choices.UNIT_CHOICES)
    kind = serializers.ChoiceField(
        choices=choices.KIND_CHOICES,
        help_text="stock: as of `as_of`; flow: counted from `since` to `as_of`.",
    )
    target = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    meets_target = serializers.BooleanField(allow_null=True)
    better = serializers.ChoiceField(choices=choices.BETTER_CHOICES, allow_null=True)
    numerator = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    denominator = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    source = serializers.CharField(help_text="Where the target comes from (law or the park's plan).")


class ScopeTownSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ScopeIndustrySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class BreakdownRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The town's division code or the industry's section; empty: none.")
    label = serializers.CharField()
    values = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False
        ),
        help_text="code → value, as `figures`.",
    )


class StatisticsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    since = serializers.DateField()
    town = ScopeTownSerializer(allow_null=True)
    industry = ScopeIndustrySerializer(allow_null=True)
    figures = FigureSerializer(many=True)
    breakdown = BreakdownRowSerializer(many=True, required=False, help_text="With `breakdown=town|industry`.")
