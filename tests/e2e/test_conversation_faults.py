"""End to end over REST, one test per class of fault that ordinary conversations used to
hit: free text refused in the booking form, the bot's own button inside a form, a detail
at the wrong prompt, a clarifying question instead of an answer, follow-ups and
statements without context, misread costs and scheme nicknames, and double greetings."""

from __future__ import annotations

import uuid

import requests

from bot.chat import send

HOTLINE = {"source": "hotline"}


def new_sender() -> str:
    return f"e2e-fault-{uuid.uuid4().hex[:8]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def tracker(helpdesk, sender: str) -> dict:
    response = requests.get(
        f"{helpdesk['base']}/conversations/{sender}/tracker", params={"token": helpdesk["token"]}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def slots(helpdesk, sender: str) -> dict:
    return tracker(helpdesk, sender)["slots"]


def start_booking(helpdesk, sender: str) -> None:
    send(helpdesk["base"], sender, "Ik wil graag een afspraak met een adviseur")
    assert slots(helpdesk, sender)["requested_slot"] == "person_name"


def test_a_company_name_of_ordinary_words_is_taken(helpdesk):
    sender = new_sender()
    start_booking(helpdesk, sender)
    send(helpdesk["base"], sender, "Piet Hofstede")
    replies = send(helpdesk["base"], sender, "Hofstede Fietsen")
    known = slots(helpdesk, sender)
    assert known["company_name"] == "Hofstede Fietsen"
    assert known["requested_slot"] == "municipality"
    assert "niet mee helpen" not in texts(replies)


def test_the_advisor_button_inside_the_booking_goes_on_with_the_booking(helpdesk):
    sender = new_sender()
    start_booking(helpdesk, sender)
    send(helpdesk["base"], sender, "Anne de Wit")
    replies = send(helpdesk["base"], sender, "/request_advisor")
    said = [reply.get("text") for reply in replies if reply.get("text")]
    assert 1 <= len(said) <= 3 and len(said) == len(set(said)), said
    assert slots(helpdesk, sender)["requested_slot"] == "company_name"
    # and the conversation still answers afterwards
    assert send(helpdesk["base"], sender, "De Groene Weide")


def test_an_email_address_at_the_place_question_is_stored_as_the_email(helpdesk):
    sender = new_sender()
    start_booking(helpdesk, sender)
    send(helpdesk["base"], sender, "Piet Jansen")
    send(helpdesk["base"], sender, "Jansen Bouw")
    replies = send(helpdesk["base"], sender, "piet@jansenbouw.example.org")
    known = slots(helpdesk, sender)
    assert known["email"] == "piet@jansenbouw.example.org"
    assert known["municipality"] is None and known["requested_slot"] == "municipality"
    assert "niet in Drenthe" not in texts(replies)


def test_a_money_question_is_answered_first_and_the_size_buttons_set_a_band(helpdesk):
    sender = new_sender()
    replies = send(
        helpdesk["base"], sender, "Ik heb 40.000 euro nodig voor een nieuwe bus maar de bank zegt nee"
    )
    assert "Financieringstafel" in texts(replies)
    size_buttons = [
        b for reply in replies for b in reply.get("buttons") or [] if "company_size" in b["payload"]
    ]
    if size_buttons:  # offered after the answer, never instead of it
        send(helpdesk["base"], sender, size_buttons[0]["payload"])
        known = slots(helpdesk, sender)
        assert known["company_size"] and known["employees"] is None
        # the booking asks the real number of people
        send(helpdesk["base"], sender, "Ik wil graag een afspraak met een adviseur")
        for answer in ("Karin Mulder", "Mulder Transport", "Hoogeveen"):
            send(helpdesk["base"], sender, answer)
        assert slots(helpdesk, sender)["requested_slot"] == "employees"


def test_a_follow_up_after_a_scheme_answer_is_about_that_scheme(helpdesk):
    sender = new_sender()
    assert "UWV" in texts(send(helpdesk["base"], sender, "Hoe zat het met de NOW?"))
    replies = send(helpdesk["base"], sender, "wat moet ik dan nog doen voor de eindafrekening?")
    text = texts(replies)
    assert "UWV" in text and "vaststelling" in text.lower()


def test_a_statement_with_a_sector_and_a_wish_gets_an_answer(helpdesk):
    replies = send(helpdesk["base"], new_sender(), "Ik heb een camping in Dwingeloo en wil meer gasten")
    text = texts(replies)
    assert "Groeicarrousel" in text or "Ondernemerstafel" in text
    assert "genoteerd" not in text


def test_the_cost_of_an_advisor_is_answered_without_starting_a_booking(helpdesk):
    sender = new_sender()
    replies = send(helpdesk["base"], sender, "Hoeveel kost een gesprek met een adviseur?")
    text = texts(replies).lower()
    assert "niets" in text or "gratis" in text
    assert slots(helpdesk, sender)["requested_slot"] is None


def test_a_scheme_nickname_is_recognised(helpdesk):
    replies = send(
        helpdesk["base"], new_sender(), "Ik heb uitstel van belastingbetaling gehad, hoe zit dat nu?"
    )
    assert "Belastingdienst" in texts(replies)


def test_a_widget_opened_from_the_hotline_greets_once(helpdesk):
    sender = new_sender()
    replies = send(helpdesk["base"], sender, "/session_start", metadata=HOTLINE)
    said = [str(reply["text"]) for reply in replies if reply.get("text")]
    assert len(said) == 1 and "hulplijn" in said[0] and ("bezet" in said[0] or "gesloten" in said[0]), said


def test_hallo_from_the_hotline_gets_one_greeting(helpdesk):
    replies = send(helpdesk["base"], new_sender(), "hallo", metadata=HOTLINE)
    said = [str(reply["text"]) for reply in replies if reply.get("text")]
    assert len(said) == 1 and "hulplijn" in said[0] and ("bezet" in said[0] or "gesloten" in said[0]), said


def test_a_widget_opened_from_the_website_greets_once(helpdesk):
    sender = new_sender()
    said = [
        str(reply["text"]) for reply in send(helpdesk["base"], sender, "/session_start") if reply.get("text")
    ]
    assert len(said) == 1 and "Goedendag" in said[0], said
    replies = send(helpdesk["base"], sender, "hallo")
    assert "Goedendag" not in texts(replies) and texts(replies)
