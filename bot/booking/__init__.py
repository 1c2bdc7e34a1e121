"""Booking an advisor: the agenda, free slots, appointments and call-backs, references.

The booking form's actions call these functions; nothing here knows about Rasa.
"""

from bot.booking.agenda import FreeSlot, booking_kind, free_slots, nearest_free, slot_at, slot_minutes
from bot.booking.appointments import (
    AppointmentNotActive,
    AppointmentNotFound,
    BookingError,
    InvalidBooking,
    SlotTaken,
    SlotUnavailable,
    book,
    book_callback,
    cancel,
    find_for_contact,
    list_appointments,
    move,
    new_reference,
    parse_reference,
)
from bot.booking.models import APPOINTMENT, CALLBACK, Advisor, Appointment

__all__ = [
    "APPOINTMENT",
    "CALLBACK",
    "Advisor",
    "Appointment",
    "AppointmentNotActive",
    "AppointmentNotFound",
    "BookingError",
    "FreeSlot",
    "InvalidBooking",
    "SlotTaken",
    "SlotUnavailable",
    "book",
    "book_callback",
    "booking_kind",
    "cancel",
    "find_for_contact",
    "free_slots",
    "list_appointments",
    "move",
    "nearest_free",
    "new_reference",
    "parse_reference",
    "slot_at",
    "slot_minutes",
]
