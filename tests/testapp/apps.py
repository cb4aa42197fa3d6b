from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Models that exist only in the test database, to test the generic machinery in core."""

    name = "tests.testapp"
    label = "testapp"
