"""Demo mediation data (filled in below)."""


def seed(rng, stdout):
    return None
