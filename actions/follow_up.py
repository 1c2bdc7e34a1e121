"""Follow-up questions: what part of the last answer a short question is about.

"Moet ik die terugbetalen?" after the TVL answer is about the TVL's settlement;
"wat kost dat?" after a growth answer is about the costs of the instruments just named;
"en voor een bv?" asks the same topic again for other details. The last scheme, topic
and instruments are kept in slots (`scheme`, `last_topic`, `last_instruments`).
"""

from __future__ import annotations

import re

from actions.turns import Turn

# Aspects of an answer a follow-up can ask about, first match wins.
ASPECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "cost",
        re.compile(r"\b(kost|kosten|prijs|prijzen|tarief|gratis|betalen voor|wat betaal|eigen bijdrage)"),
    ),
    (
        "settlement",
        re.compile(
            r"(terug ?betal|terugbetaling|aflos|terugvorder|eindafrekening|afrekening|vaststelling|"
            r"definitie|termijn|betalingsregeling|schuld|rente|verrekening|te veel gekregen)"
        ),
    ),
    ("objection", re.compile(r"\b(bezwaar|niet eens|beroep aantekenen|klacht)")),
    (
        "status",
        re.compile(
            r"(nog aanvragen|aanvragen|gesloten|nog open|loopt (die|het) nog|"
            r"wanneer (stopt|stopte|sloot)|deadline)"
        ),
    ),
    (
        "who",
        re.compile(r"\b(wie (doet|regelt|voert)|bij wie|welke instantie|waar moet ik|waar kan ik|contact)"),
    ),
    (
        "apply",
        re.compile(
            r"\b(aanmelden|aanmeld|meld (ik|je|u) (me|mij|mezelf|je|u|ons)\b|inschrijven|"
            r"schrijf (ik|je|u)|opgeven|"
            r"meedoen|deelnemen|hoe (werkt|gaat|begin|kom|kan)|volgende stap)"
        ),
    ),
    (
        "for_whom",
        re.compile(r"\b(voor wie|wie kan|kom ik in aanmerking|mag ik|geldt (dat|het|dit) ook|ook voor)"),
    ),
    ("what", re.compile(r"\b(wat (is|was|houdt|hield|betekent)|hoe (werkte|zat|zit)|uitleg)")),
)
_REFERS_BACK = re.compile(
    r"^(en|maar|ook|dus|dan)\b|\b(die|dat|deze|dit|daar|daarvan|daarvoor|ervoor|ervan|erbij|hiervoor|het|ze|hem)\b"
)


def aspect_of(text: str) -> str | None:
    lowered = " ".join(text.lower().split())
    return next((name for name, pattern in ASPECTS if pattern.search(lowered)), None)


def refers_back(turn: Turn) -> bool:
    """A short message that leans on what was said before ("en de vaststelling?", "wat kost dat?")."""
    if turn.is_payload:
        return False
    words = turn.words
    return 1 <= len(words) <= 12 and bool(_REFERS_BACK.search(" ".join(words)))
