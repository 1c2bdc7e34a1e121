"""The size of a company: the number of people read from what someone typed, and the
size band (the program's target groups) that the catalog filters on.

One parser for the whole help desk: the booking form, the catalog and the size buttons
all go through `parse_employees` and `band_of`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.vocabulary import LARGER, SMALL, ZZP

LARGEST_SME = 250
MAX_EMPLOYEES = 100_000

# Size bands, as the size buttons set them (`company_size`) and as the catalog reads them.
BAND_ZZP = ZZP  # one person
BAND_SMALL = SMALL  # 2 to 50
BAND_LARGER = LARGER  # 51 to 250
BAND_BEYOND = "beyond_sme"  # more than 250: outside the program's target groups
BANDS: tuple[str, ...] = (BAND_ZZP, BAND_SMALL, BAND_LARGER, BAND_BEYOND)

_NUMBER_WORDS = {
    "geen": 0, "nul": 0, "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5,
    "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13,
    "veertien": 14, "vijftien": 15, "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70,
    "tachtig": 80, "negentig": 90, "honderd": 100,
}  # fmt: skip
_ALONE = re.compile(
    r"\b(alleen ik|ik alleen|alleen mijzelf|alleen mezelf|ikzelf|in mijn eentje|"
    r"eenmanszaak|zzp'?er|zzp|solo)\b"
)
# A fraction ("2,5", "2.5"), a range ("10-50", "10 tot 50") or a negative number.
_NOT_ONE_WHOLE = re.compile(r"\d\s*,\s*\d|\d\.\d{1,2}\b|(^|[^\w])-\s*\d|\d\s*(tot|à|a|-|/)\s*\d")
_THOUSANDS = re.compile(r"\D*\d{1,3}(\.\d{3})+\D*")


def parse_employees(value: object) -> int | None:
    """A whole number of people from 12, "12", "12 medewerkers", "1.200", "vijf", "zzp" (1).

    Fractions ("2,5"), negative numbers, ranges ("10-50"), several numbers and
    booleans give None: the form then asks again instead of guessing.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_EMPLOYEES else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value <= MAX_EMPLOYEES else None
    lowered = str(value).strip().lower()
    if not lowered:
        return None
    if _NOT_ONE_WHOLE.search(lowered) and not _THOUSANDS.fullmatch(lowered):
        return None
    digits = re.findall(r"\d{1,3}(?:\.\d{3})+|\d+", lowered)
    if len(digits) > 1:
        return None
    if digits:
        count = int(digits[0].replace(".", ""))
        return count if count <= MAX_EMPLOYEES else None
    if _ALONE.search(lowered):
        return 1
    words = [word for word in re.findall(r"[a-zéë']+", lowered) if word in _NUMBER_WORDS]
    if len(words) == 1:
        return _NUMBER_WORDS[words[0]]
    return None


def band_of(employees: int) -> str:
    """0 or 1 person: zzp; 2-50: small; 51-250: larger; more: beyond the SME range."""
    if employees <= 1:
        return BAND_ZZP
    if employees <= 50:
        return BAND_SMALL
    if employees <= LARGEST_SME:
        return BAND_LARGER
    return BAND_BEYOND


@dataclass(frozen=True)
class CompanySize:
    """What is known of a company's size: a band, and the exact number when it was given."""

    band: str
    employees: int | None = None

    @property
    def target_group(self) -> str:
        """The catalog's target group; a company beyond the SME range is treated as larger."""
        return LARGER if self.band == BAND_BEYOND else self.band

    @property
    def beyond_sme(self) -> bool:
        return self.band == BAND_BEYOND


def known_size(employees: object = None, band: object = None) -> CompanySize | None:
    """The size from an exact number (wins) or else from a band; None when neither is known."""
    count = parse_employees(employees)
    if count is not None:
        return CompanySize(band_of(count), count)
    if isinstance(band, str) and band in BANDS:
        return CompanySize(band)
    return None
