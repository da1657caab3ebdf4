"""What the rows of activity logs and order exports mean: a CRM's type names as Tracker's kinds, and which order
statuses are purchases.

Both are decided once per distinct value (the importer caches the answer), never per row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from tracker.core.levels import DEFAULT_KINDS

BUILTIN_KINDS = frozenset(spec.name for spec in DEFAULT_KINDS)

#: Type names other tools write (HubSpot, Pipedrive, Salesforce, Zoho, shop and newsletter exports), as a key
#: (lower case, spaces, hyphens and slashes as "_") → a built-in kind. An e-mail logged in a CRM is the owner's
#: outreach unless its type says it came in: "Email", "Email sent" → message; "Email received", "Incoming email",
#: "Email reply" → email_reply.
KIND_SYNONYMS = {
    # purchases
    "order": "purchase",
    "sale": "purchase",
    "bought": "purchase",
    "buy": "purchase",
    "paid": "purchase",
    "purchased": "purchase",
    "order_placed": "purchase",
    "placed_order": "purchase",
    "deal": "purchase",
    "deal_won": "purchase",
    "won": "purchase",
    "closed_won": "purchase",
    "deal_closed": "purchase",
    "closed_deal": "purchase",
    # e-mail
    "opened": "email_open",
    "open": "email_open",
    "email_opened": "email_open",
    "click": "email_click",
    "clicked": "email_click",
    "email_clicked": "email_click",
    "link_clicked": "email_click",
    "reply": "email_reply",
    "replied": "email_reply",
    "email_replied": "email_reply",
    "email_received": "email_reply",
    "received_email": "email_reply",
    "incoming_email": "email_reply",
    "inbound_email": "email_reply",
    "email": "message",
    "e_mail": "message",
    "mail": "message",
    "email_sent": "message",
    "sent_email": "message",
    "outgoing_email": "message",
    "outbound_email": "message",
    "logged_email": "message",
    "sales_email": "message",
    # messages
    "sms": "message",
    "text": "message",
    "text_message": "message",
    "whatsapp": "message",
    "whatsapp_message": "message",
    "chat": "message",
    "live_chat": "message",
    "chat_message": "message",
    "conversation": "message",
    "linkedin_message": "message",
    "direct_message": "message",
    "dm": "message",
    "letter": "message",
    # calls and meetings
    "phone_call": "call",
    "phone": "call",
    "logged_call": "call",
    "outbound_call": "call",
    "inbound_call": "call",
    "incoming_call": "call",
    "outgoing_call": "call",
    "voicemail": "call",
    "appointment": "meeting",
    "booked_meeting": "meeting",
    "meeting_booked": "meeting",
    "video_call": "meeting",
    "consultation": "meeting",
    "demo": "meeting",
    # notes and tasks: a record of the owner's, not the customer's engagement
    "task": "note",
    "todo": "note",
    "to_do": "note",
    "comment": "note",
    "logged_note": "note",
    "follow_up": "note",
    "reminder": "note",
    # the customer reaching out or signing up
    "form_submission": "inquiry",
    "form_submitted": "inquiry",
    "form": "inquiry",
    "contact_form": "inquiry",
    "web_form": "inquiry",
    "enquiry": "inquiry",
    "quote_request": "inquiry",
    "visit": "website_visit",
    "page_view": "website_visit",
    "pageview": "website_visit",
    "site_visit": "website_visit",
    "subscribe": "subscription",
    "subscribed": "subscription",
    "registration": "signup",
    "register": "signup",
    "sign_up": "signup",
    "signed_up": "signup",
    "survey": "feedback",
    "survey_response": "feedback",
    "event": "event_attended",
    "attended": "event_attended",
    "webinar": "event_attended",
    "webinar_attended": "event_attended",
    "referred": "referral",
}
_KEY_JUNK = re.compile(r"[\s\-/]+")
_INBOUND = frozenset({"received", "reply", "replied", "inbound", "incoming", "answered"})
_NOT_DONE = frozenset({"lost", "cancelled", "canceled", "refunded", "failed", "bounced", "unsubscribed"})
#: Words that say what kind a longer type name is ("Outbound sales call" → call), tried in this order.
_KEYWORDS = (
    ({"call", "phone"}, "call"),
    ({"meeting", "appointment"}, "meeting"),
    ({"sms", "whatsapp", "chat", "message", "messenger"}, "message"),
    ({"note", "task", "todo"}, "note"),
    ({"form", "inquiry", "enquiry"}, "inquiry"),
)

K = TypeVar("K")


def kind_key(text: str) -> str:
    """'Phone Call' → 'phone_call', ' E-mail ' → 'e_mail'."""
    return _KEY_JUNK.sub("_", text.strip().lower()).strip("_")


def builtin_kind_for(text: str) -> str | None:
    """The built-in kind a type name means (case and spacing do not matter), or None if it is not one known."""
    key = kind_key(text)
    if key in BUILTIN_KINDS:
        return key
    if key in KIND_SYNONYMS:
        return KIND_SYNONYMS[key]
    words = set(key.split("_"))
    if not words or words & _NOT_DONE:
        return None
    if words & {"email", "e", "mail"}:
        if words & _INBOUND:
            return "email_reply"
        if words & {"open", "opened"}:
            return "email_open"
        if words & {"click", "clicked"}:
            return "email_click"
        return "message"
    for keywords, kind in _KEYWORDS:
        if words & keywords:
            return kind
    if words & {"won", "purchase", "order"}:
        return "purchase"
    return None


def kind_for(text: str, kinds: Mapping[str, K]) -> K | None:
    """The stored kind (of `kinds`, by lower-case name) a row's type means: its own name first (kinds the user
    added included), then the names other tools use."""
    key = kind_key(text)
    found = kinds.get(key)
    if found is not None:
        return found
    builtin = builtin_kind_for(text)
    return kinds.get(builtin) if builtin else None


# Order statuses. A Shopify / WooCommerce order is a purchase only when its financial (payment) status says the
# money came (or is held); orders voided, refunded, unpaid, cancelled… are skipped and counted by reason.
PURCHASE_STATUSES = frozenset(
    {
        "paid",
        "partially_paid",
        "partially_refunded",
        "authorized",
        "authorised",
        "completed",
        "complete",
        "processing",
        "succeeded",
        "success",
        "settled",
        "captured",
    }
)
#: status key → why the order is skipped (the report's reason).
SKIPPED_STATUSES = {
    "voided": "voided order",
    "void": "voided order",
    "refunded": "refunded order",
    "pending": "pending order",
    "pending_payment": "pending order",
    "unpaid": "unpaid order",
    "expired": "expired order",
    "cancelled": "cancelled order",
    "canceled": "cancelled order",
    "failed": "failed order",
    "on_hold": "on-hold order",
    "draft": "draft order",
    "checkout_draft": "draft order",
    "trash": "deleted order",
}
CANCELLED_REASON = "cancelled order"
_STATUS_PREFIX = re.compile(r"^wc[-_]")


def status_key(text: str) -> str:
    """'wc-on-hold' → 'on_hold', 'Partially Refunded' → 'partially_refunded'."""
    return _KEY_JUNK.sub("_", _STATUS_PREFIX.sub("", text.strip().lower())).strip("_")


def skipped_status(text: str) -> str | None:
    """Why an order with this status is not a purchase, or None when it is one (paid, partially paid or refunded,
    authorised, completed, processing, empty, or a status Tracker does not know)."""
    return SKIPPED_STATUSES.get(status_key(text)) if text.strip() else None


def known_status(text: str) -> bool:
    key = status_key(text)
    return not key or key in PURCHASE_STATUSES or key in SKIPPED_STATUSES
