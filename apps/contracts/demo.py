"""Demo contracts (written by the demo helper)."""


def seed(rng, stdout):
    return None
