"""Pieces of filter sets shared by every list."""


def test_a_yes_no_filter_shows_the_chosen_value():
    from apps.core.filters import YesNoWidget

    html = YesNoWidget().render("overdue", "true")
    assert '<option value="true" selected>' in html
    assert '<option value="" selected>' in YesNoWidget().render("overdue", None)
