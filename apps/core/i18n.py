"""Translatable text with values that are not words of the interface (issue 20: a message id holds
English only; a Chinese example of what to type, a document number, goes in as a placeholder)."""

from django.utils.functional import lazy


def _interpolate(text, params: dict) -> str:
    return str(text) % params


_lazy_interpolate = lazy(_interpolate, str)


def lazy_format(text, **params):
    """`text` (a lazy translation with %(name)s placeholders) filled with `params` when it is
    shown, in the language active then: for texts declared at import (labels, help texts,
    sources)."""
    return _lazy_interpolate(text, params)
