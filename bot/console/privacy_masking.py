"""Masking personal data in texts that leave the console (CSV, charts, NLU export)."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Dutch and international phone numbers as people type them: 06-12345678, 0592 123 456,
# +31 6 1234 5678, 0031 (0)6 12 34 56 78: 9 to 11 digits (after + or 00) with separators.
PHONE = re.compile(r"(?<![\w@])(?:\+|00)?\d(?:(?:[\s\-./]{0,2}|\s?\(0\)\s?)\d){8,10}(?!\w)")

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[telefoon]"


def mask_personal(text: str | None) -> str:
    """E-mail addresses and phone numbers replaced by a placeholder."""
    if not text:
        return ""
    return PHONE.sub(PHONE_MASK, EMAIL.sub(EMAIL_MASK, text))


def strip_personal(text: str | None) -> str:
    """E-mail addresses and phone numbers removed (for training data), spaces tidied."""
    if not text:
        return ""
    removed = PHONE.sub(" ", EMAIL.sub(" ", text))
    return " ".join(removed.split()).strip(" ,;:")


def has_personal(text: str | None) -> bool:
    return bool(text) and bool(EMAIL.search(text or "") or PHONE.search(text or ""))
