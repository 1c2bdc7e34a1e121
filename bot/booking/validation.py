"""Checks and normalises what the booking form collects: names, e-mail, phone and a
wished moment written in free Dutch (the number of employees: bot/company.py).

Every function returns the clean value, or None when the input is not usable;
the form then re-asks with a response from domain.yml.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import phonenumbers
from dateparser.date import DateDataParser

from bot import clock

# --- person names -----------------------------------------------------------------------

# Dutch (and a few neighbouring) name particles, written in lower case inside a name.
NAME_PARTICLES = frozenset(
    {
        "van",
        "der",
        "den",
        "de",
        "het",
        "'t",
        "te",
        "ter",
        "ten",
        "in",
        "op",
        "onder",
        "uit",
        "aan",
        "bij",
        "voor",
        "over",
        "von",
        "zu",
        "la",
        "le",
        "du",
        "des",
        "da",
        "di",
        "d'",
        "'s",
    }
)
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[-'’. ]+[^\W\d_]*)*$", re.UNICODE)


def normalise_person_name(text: str | None) -> str | None:
    """ "jan van der berg" -> "Jan van der Berg"; "Anne-Marie de Vries" stays as typed.

    Letters, spaces, hyphens, apostrophes and dots (initials) only, at least two letters.
    Input that is all lower or all upper case is capitalised; mixed case is kept.
    """
    if not text:
        return None
    cleaned = " ".join(text.replace("’", "'").split())
    cleaned = re.sub(r"\s*-\s*", "-", cleaned)
    letters = sum(ch.isalpha() for ch in cleaned)
    if letters < 2 or len(cleaned) > 100 or not _NAME_CHARS.match(cleaned):
        return None
    if cleaned != cleaned.lower() and cleaned != cleaned.upper():
        return cleaned
    words = cleaned.lower().split(" ")
    return " ".join(_capitalise_word(word, first=index == 0) for index, word in enumerate(words))


def _capitalise_word(word: str, first: bool) -> str:
    if word in NAME_PARTICLES and not first:
        return word
    return "-".join(
        part if (part in NAME_PARTICLES and index > 0) else _capitalise_part(part)
        for index, part in enumerate(word.split("-"))
    )


def _capitalise_part(part: str) -> str:
    # "d'ancona" -> "d'Ancona", "o'neill" -> "O'Neill", "j.p." -> "J.P."
    if part.startswith("d'") and len(part) > 2:
        return "d'" + part[2:3].upper() + part[3:]
    pieces = re.split(r"([.'])", part)
    return "".join(piece[:1].upper() + piece[1:] if piece not in (".", "'") else piece for piece in pieces)


# --- e-mail -----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"^(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)


def normalise_email(text: str | None) -> str | None:
    """A syntactically valid address, trimmed, with the domain in lower case."""
    if not text:
        return None
    candidate = text.strip().strip("<>").strip()
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[7:]
    if len(candidate) > 254:
        return None
    match = _EMAIL.match(candidate)
    if not match or len(match["local"]) > 64:
        return None
    return f"{match['local']}@{match['domain'].lower()}"


def same_email(first: str | None, second: str | None) -> bool:
    if not first or not second:
        return False
    return first.strip().casefold() == second.strip().casefold()


# --- phone numbers ---------------------------------------------------------------------------

_REJECTED_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.PAGER,
    phonenumbers.PhoneNumberType.UAN,
    phonenumbers.PhoneNumberType.VOICEMAIL,
}


def normalise_phone(text: str | None, region: str = "NL") -> str | None:
    """A callable number in E.164 ("+31612345678"): Dutch mobile or landline written
    nationally ("06-12345678", "0592 123456") or internationally ("+31 6 …", "0031 …")."""
    if not text or len(text) > 40:
        return None
    candidate = text.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    candidate = re.sub(r"\(0\)", "", candidate)  # "+31 (0)6 …"
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) in _REJECTED_PHONE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """For people: "06 12345678" for Dutch numbers, international format otherwise."""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 31:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def same_phone(first: str | None, second: str | None) -> bool:
    first_number, second_number = normalise_phone(first), normalise_phone(second)
    return first_number is not None and first_number == second_number


def contact_matches(given: str | None, email: str | None, phone: str | None) -> bool:
    """True when `given` is the e-mail (any case) or the phone number (any notation) of a booking."""
    if not given:
        return False
    if "@" in given:
        return same_email(given, email)
    return same_phone(given, phone)


# --- a wished moment in free Dutch ------------------------------------------------------------

DAYPART_DEFAULTS = {"ochtend": time(9, 0), "middag": time(13, 0), "avond": time(19, 0)}
# Time of a date given without hour or daypart: the start of the working day.
DEFAULT_TIME = time(9, 0)

_HOUR_WORDS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
}
_HOUR = r"(\d{1,2}|" + "|".join(sorted(_HOUR_WORDS, key=len, reverse=True)) + r")"
_WEEKDAY_ALT = "|".join(clock.WEEKDAY_NAMES)

# Compounds first: they hide a day and a daypart in one word.
_COMPOUNDS = [
    (r"\bmorgen\s*vroeg\b", " morgen ochtend "),
    (r"\bmorgen(ochtend|middag|avond)\b", r" morgen \1 "),
    (r"\bovermorgen(ochtend|middag|avond)\b", r" overmorgen \1 "),
    (r"\bvan(ochtend|middag|avond)\b", r" vandaag \1 "),
    (r"\bvanmorgen\b", " vandaag ochtend "),
    (r"\b(" + _WEEKDAY_ALT + r")(ochtend|middag|avond|morgen)\b", r" \1 \2 "),
    (r"'s\s*(ochtends|morgens)\b", " ochtend "),
    (r"'s\s*middags\b", " middag "),
    (r"'s\s*avonds\b", " avond "),
    (r"\b(in de|aan het begin van de|eind van de|einde van de)\s+", " "),
]
_FILLER = re.compile(
    r"\b(om|rond|rondom|omstreeks|tegen|ongeveer|graag|liefst|het|bij voorkeur|op|ik|wil|zou|kan|kunnen|"
    r"dat|is|prima|goed|mij|me|past|uitkomt|schikt|uur|u|a\.?u\.?b\.?|alstublieft|aub|a\.s\.|aanstaande|"
    r"komende|de|een|afspraak|gesprek|tijd|in|na|voor|vanaf)\b"
)


def parse_slot_text(text: str | None, now: datetime) -> datetime | None:
    """Understand a wished moment: "morgenochtend", "dinsdag om 10 uur", "15 december 14:00",
    "vrijdag half 3", "volgende week woensdag", or an ISO 8601 date-time (button payloads).

    Relative to `now` (aware, in the help desk's time zone), preferring the future. A day
    without an hour gets its daypart's start ("middag" 13:00) or 09:00; an hour from 1 to 7
    without daypart is taken as afternoon ("om 2 uur" is 14:00). Returns an aware datetime
    in now's time zone, or None when no moment can be read.
    """
    if not text or not text.strip() or len(text) > 200:
        return None
    tz = now.tzinfo
    iso = _parse_iso(text.strip(), now)
    if iso is not None:
        return iso
    lowered = " " + text.lower().replace("’", "'") + " "
    for pattern, replacement in _COMPOUNDS:
        lowered = re.sub(pattern, replacement, lowered)

    daypart: str | None = None
    for part in DAYPART_DEFAULTS:
        if re.search(rf"\b{part}\b", lowered):
            daypart = part
            lowered = re.sub(rf"\b{part}\b", " ", lowered)
    # "morgen" left over is the day (tomorrow); a bare "morgens" was handled above.

    clock_time, lowered = _extract_time(lowered, daypart)

    week_offset = 0
    if re.search(r"\bvolgende week\b", lowered):
        week_offset = 1
        lowered = re.sub(r"\bvolgende week\b", " ", lowered)
    elif re.search(r"\bvolgende\s+(" + _WEEKDAY_ALT + r")\b", lowered):
        lowered = re.sub(r"\bvolgende\s+", " ", lowered)

    date_text = " ".join(_FILLER.sub(" ", lowered).replace(",", " ").split())
    day = _parse_day(date_text, week_offset, now)
    if day is None:
        if date_text or (clock_time is None and daypart is None):
            return None
        if week_offset:
            return None
        day = now.date()
    if clock_time is None:
        clock_time = DEFAULT_TIME if daypart is None else DAYPART_DEFAULTS[daypart]
    moment = datetime.combine(day, clock_time, tz)
    explicit_day = bool(date_text) or week_offset
    if not explicit_day and moment <= now:
        moment = datetime.combine(day + timedelta(days=1), clock_time, tz)
    return moment


def _parse_iso(text: str, now: datetime) -> datetime | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?", text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment.astimezone(now.tzinfo)


def _extract_time(text: str, daypart: str | None) -> tuple[time | None, str]:
    patterns = [
        (rf"\bkwart over {_HOUR}\b", lambda h: (h, 15)),
        (rf"\bkwart voor {_HOUR}\b", lambda h: (h - 1, 45)),
        (rf"\bhalf {_HOUR}\b", lambda h: (h - 1, 30)),
        (r"\b(\d{1,2})[:.u](\d{2})\b", None),
        (rf"\b{_HOUR}\s*uur\b", lambda h: (h, 0)),
        (rf"\bom {_HOUR}\b", lambda h: (h, 0)),
    ]
    for pattern, build in patterns:
        match = re.search(pattern, text)
        if not match:
            continue
        if build is None:
            hour, minute = int(match.group(1)), int(match.group(2))
        else:
            raw = match.group(1)
            hour, minute = build(int(raw) if raw.isdigit() else _HOUR_WORDS[raw])
        hour = _afternoon(hour, daypart)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            return None, text
        return time(hour, minute), text[: match.start()] + " " + text[match.end() :]
    return None, text


def _afternoon(hour: int, daypart: str | None) -> int:
    if daypart in ("middag", "avond") and 1 <= hour < 12:
        return hour + 12
    if daypart is None and 1 <= hour <= 7:
        return hour + 12  # nobody books an advisor at 3 at night
    return hour


def _parse_day(date_text: str, week_offset: int, now: datetime) -> date | None:
    if not date_text:
        return None
    weekday_only = re.fullmatch(_WEEKDAY_ALT, date_text)
    if week_offset and weekday_only:
        monday_next_week = now.date() - timedelta(days=now.weekday()) + timedelta(weeks=1)
        return monday_next_week + timedelta(days=clock.WEEKDAY_NAMES.index(date_text))
    if week_offset:
        return None
    # A bare number ("3") is too ambiguous to be a date.
    if not re.search(r"[a-z]", date_text) and not re.search(r"\d[-/]\d", date_text):
        return None
    parser = DateDataParser(
        languages=["nl"],
        settings={
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    data = parser.get_date_data(date_text)
    if data is None or data.date_obj is None or data.period not in ("day", "time"):
        return None
    return data.date_obj.date()


# --- answers typed into the booking and cancel forms -------------------------------------------
# The forms take the whole message as the answer; these pull the value out of a sentence
# such as "mijn naam is Jan de Vries" or "bel maar naar 06-12345678".

_NAME_INTRO = re.compile(
    r"^\s*(?:(?:ja|nou|oké|oke),?\s+)?(?:mijn naam is|ik ben|ik heet|u spreekt met|je spreekt met|"
    r"dit is|met|naam:?)\s+",
    re.IGNORECASE,
)
_COMPANY_INTRO = re.compile(
    r"^\s*(?:(?:mijn|ons|het) (?:bedrijf|zaak|onderneming|winkel)(?:snaam)? (?:heet|is)|"
    r"(?:de )?(?:bedrijfs)?naam (?:van (?:mijn|ons) bedrijf )?is|bedrijfsnaam:?|wij heten|we heten)\s+",
    re.IGNORECASE,
)
_PLACE_INTRO = re.compile(
    r"^\s*(?:(?:ik|wij|we)\s+(?:zit|zitten|woon|wonen|werk|werken|ben|zijn)\s+(?:gevestigd\s+)?(?:in|te)|"
    r"(?:mijn|ons)\s+(?:bedrijf|zaak)\s+(?:zit|is|staat)\s+in|gevestigd\s+in|in de gemeente|gemeente|"
    r"in|uit|te)\s+",
    re.IGNORECASE,
)
_TRAILING = " .,;:!?\"'"


# Words that are an answer of another kind ("ja", "hallo", "stop"), never a whole name.
NOT_A_NAME = frozenset(
    [
        "ja",
        "nee",
        "nou",
        "ok",
        "oke",
        "oké",
        "okay",
        "prima",
        "goed",
        "hallo",
        "hoi",
        "hey",
        "hai",
        "dag",
        "goedemorgen",
        "goedemiddag",
        "goedenavond",
        "bedankt",
        "dank",
        "dankjewel",
        "dankuwel",
        "thanks",
        "stop",
        "stoppen",
        "help",
        "hulp",
        "niks",
        "niets",
        "geen",
        "weet",
        "onbekend",
        "test",
        "daar",
        "allemaal",
        "even",
        "idee",
        "je",
        "u",
        "wel",
        "jullie",
        "hoor",
        "zeer",
        "heel",
        "erg",
        "mooi",
        "super",
    ]
)
# Words that make a message a sentence rather than a name ("ik wil eerst weten wat het kost").
_SENTENCE_WORDS = frozenset(
    [
        "ik",
        "je",
        "jij",
        "u",
        "we",
        "wij",
        "het",
        "een",
        "is",
        "ben",
        "bent",
        "zijn",
        "wil",
        "wilt",
        "wat",
        "hoe",
        "waar",
        "waarom",
        "wanneer",
        "welke",
        "niet",
        "wel",
        "graag",
        "kan",
        "kunt",
        "mag",
        "moet",
        "heb",
        "heeft",
        "hebben",
        "dat",
        "dit",
        "deze",
        "die",
        "er",
        "om",
        "over",
        "ook",
        "nog",
        "maar",
        "dus",
        "als",
    ]
)
# "nog geen bedrijf", "heb ik (nog) niet": the person has no company (yet).
_NO_COMPANY = re.compile(
    r"^(?:nee(?: hoor)?|(?:nee,?\s*)?(?:(?:ik heb |wij hebben |we hebben )?(?:nog )?(?:geen|niet)"
    r"(?: bedrijf| eigen bedrijf| zaak)?(?: nog)?|heb ik (?:nog )?niet|nog niet|nog niets|"
    r"ik ben nog niet gestart|ik moet nog starten|(?:nog )?in oprichting|n\.?v\.?t\.?))$",
    re.IGNORECASE,
)
NO_COMPANY_YET = "Nog geen bedrijf"


def person_name_from_text(text: str | None) -> str | None:
    """The clean name in "mijn naam is jan de vries" or "Jan de Vries."; None if there is none.

    A name is taken as typed (any letters, particles, hyphens, initials); only what is clearly
    not a name is refused: a bare "ja" or "hallo", a sentence, digits or an e-mail address.
    """
    if not text:
        return None
    introduced = _NAME_INTRO.match(text.strip()) is not None
    candidate = _NAME_INTRO.sub("", text.strip()).strip(_TRAILING)
    words = candidate.lower().replace(",", " ").split()
    if not words or len(words) > 8 or all(word in NOT_A_NAME for word in words):
        return None
    if not introduced and sum(word in _SENTENCE_WORDS for word in words) >= 2:
        return None
    return normalise_person_name(candidate)


def company_name_from_text(text: str | None) -> str | None:
    """The company name as typed, without "ons bedrijf heet"; NO_COMPANY_YET for "nog geen";
    2 to 120 characters with a letter or digit; a bare "ja" or "hallo" is no name."""
    if not text:
        return None
    name = " ".join(_COMPANY_INTRO.sub("", text.strip()).split()).strip(_TRAILING)
    if _NO_COMPANY.match(name):
        return NO_COMPANY_YET
    if not 2 <= len(name) <= 120 or not re.search(r"[^\W_]", name) or name.startswith("/"):
        return None
    if all(word in NOT_A_NAME for word in name.lower().replace(",", " ").split()):
        return None
    return name[0].upper() + name[1:]


def email_from_text(text: str | None) -> str | None:
    """The e-mail address in the text ("mijn mail is jan@example.org"), normalised."""
    if not text:
        return None
    whole = normalise_email(text)
    if whole:
        return whole
    for word in text.split():
        if "@" in word:
            found = normalise_email(word.strip(_TRAILING + "()<>"))
            if found:
                return found
    return None


def phone_from_text(text: str | None, region: str = "NL") -> str | None:
    """The phone number in the text ("bel maar naar 06-12345678") in E.164."""
    if not text or len(text) > 200:
        return None
    whole = normalise_phone(text, region)
    if whole:
        return whole
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        found = normalise_phone(match.raw_string, region)
        if found:
            return found
    return None


def phone_matches(text: str | None, region: str = "NL") -> list[tuple[str, str]]:
    """The phone numbers in a longer text: (E.164, the characters that held it)."""
    if not text or len(text) > 500:
        return []
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        number = normalise_phone(match.raw_string, region)
        if number:
            found.append((number, match.raw_string))
    return found


def place_from_text(text: str | None) -> str | None:
    """The place in "wij zitten in beilen" ("Beilen"), for municipality look-up or as typed."""
    if not text:
        return None
    place = " ".join(_PLACE_INTRO.sub("", text.strip()).split()).strip(_TRAILING)
    if (
        not 2 <= len(place) <= 60
        or not re.search(r"[^\W\d_]", place)
        or place.startswith("/")
        or "@" in place
    ):
        return None
    words = place.lower().split()
    if (
        len(words) > 5
        or sum(word in _SENTENCE_WORDS for word in words) >= 2
        or all(w in NOT_A_NAME for w in words)
    ):
        return None
    if place == place.lower():
        place = "-".join(
            " ".join(word[:1].upper() + word[1:] for word in part.split(" ")) for part in place.split("-")
        )
    return place


# How the person wants to talk with the advisor (the values go to the CRM as they are).
CONTACT_PHONE = "telefoon"
CONTACT_EMAIL = "e-mail"
CONTACT_VIDEO = "video"
CONTACT_PREFERENCES = (CONTACT_PHONE, CONTACT_EMAIL, CONTACT_VIDEO)
_CONTACT_WORDS = (
    # video first: "videobellen" also contains "bel"
    (CONTACT_VIDEO, re.compile(r"video|beeldbel|teams|zoom|webcam|online gesprek|skype")),
    (CONTACT_EMAIL, re.compile(r"e-?mail|\bmail|mailen|per mail")),
    (CONTACT_PHONE, re.compile(r"telefo|\bbel|bellen|gebeld|mobiel|\bfoon|\bgsm")),
)


def parse_contact_preference(text: str | None) -> str | None:
    """ "telefonisch graag" -> "telefoon", "via teams" -> "video"; None when unclear."""
    if not text:
        return None
    lowered = text.strip().lower()
    if lowered in CONTACT_PREFERENCES:
        return lowered
    found = [value for value, pattern in _CONTACT_WORDS if pattern.search(lowered)]
    return found[0] if len(found) == 1 or (found and found[0] == CONTACT_VIDEO) else None


# What someone wants to do with an existing booking.
CANCEL = "cancel"
MOVE = "move"
_MOVE_WORDS = re.compile(
    r"verzet|verplaats|verschuif|verschuiv|opschuiv|omzet|om te zetten|omboek|wijzig|"
    r"ander(e)? (moment|tijd|dag|datum)|"
    r"\blater\b|\beerder\b|\bmove\b"
)
_CANCEL_WORDS = re.compile(
    r"annul|afzeg|af te zeggen|zeg\b.*\baf\b|cancel|intrek|trek\b.*\bin\b|niet meer nodig|vervall|schrap|"
    r"doorstre|streep|laat\b.*\bzitten|gaat niet door|hoeft niet meer"
)


def parse_cancel_choice(text: str | None) -> str | None:
    """CANCEL for "afzeggen", MOVE for "kan het naar volgende week"; None when unclear or both."""
    if not text:
        return None
    lowered = text.strip().lower()
    if lowered in (CANCEL, MOVE):
        return lowered
    moving, cancelling = bool(_MOVE_WORDS.search(lowered)), bool(_CANCEL_WORDS.search(lowered))
    if moving == cancelling:
        return None
    return MOVE if moving else CANCEL
