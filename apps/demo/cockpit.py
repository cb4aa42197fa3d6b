"""The demo park's cockpit (issue 20): the monthly record of the last 24 months, so the trends
show two years on the first visit (a real park's nightly job writes each month as it ends)."""

from apps.cockpit import services


def seed(rng, stdout) -> None:
    recorded = services.record_months()
    stdout.write(f"Cockpit: {len(recorded)} month(s) of figures recorded.")
