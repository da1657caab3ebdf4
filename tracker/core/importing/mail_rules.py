"""What a message means for the contacts: written by a contact (an `email_reply`), written by the owner to contacts
(`contacted`), or noise left out with a reason — a newsletter or notification, a mass mailing, the owner's own
internal mail, a blocklisted correspondent. Which addresses are the owner's is found here too (the most frequent
sender of mail that is not bulk), unless the user says."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.core.importing.mail_messages import Address, MailMessage
from tracker.core.normalize import ascii_lower, is_valid_email

FROM_CONTACT = "email_reply"
TO_CONTACT = "contacted"
MAX_RECIPIENTS = 20

# Reasons a message is skipped, as the report counts them.
NO_DATE = "unreadable date"
NO_SENDER = "no sender"
UNREADABLE = "unreadable message"
BULK = "newsletter or notification"
MASS = f"more than {MAX_RECIPIENTS} recipients"
INTERNAL = "owner's internal mail"
BLOCKED = "blocklisted"
NOT_A_CONTACT = "not a contact"
ALREADY = "already imported"

#: Senders that are machines, by the address's local part.
_MACHINE_SENDERS = frozenset(
    {
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "mailer-daemon",
        "postmaster",
        "notifications",
        "notification",
        "bounce",
        "bounces",
    }
)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})

#: Mail providers whose domain many unrelated people share: the owner's address there makes nobody else at that
#: domain "internal".
_PUBLIC_DOMAINS = """
    gmail.com googlemail.com outlook.com outlook.de outlook.fr hotmail.com hotmail.co.uk hotmail.de hotmail.fr
    hotmail.it hotmail.es live.com live.co.uk live.de live.fr msn.com yahoo.com yahoo.co.uk yahoo.de yahoo.fr
    yahoo.it yahoo.es ymail.com rocketmail.com icloud.com me.com mac.com aol.com aol.de gmx.de gmx.net gmx.com
    gmx.at gmx.ch web.de t-online.de freenet.de proton.me protonmail.com protonmail.ch pm.me fastmail.com
    fastmail.fm mail.com email.com zoho.com yandex.ru yandex.com mail.ru inbox.ru orange.fr wanadoo.fr free.fr
    laposte.net sfr.fr libero.it virgilio.it tiscali.it btinternet.com sky.com virginmedia.com comcast.net
    verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net qq.com 163.com 126.com sina.com naver.com
    daum.net hanmail.net hey.com tutanota.com tuta.io posteo.de posteo.net mailbox.org seznam.cz wp.pl o2.pl
    interia.pl onet.pl bluewin.ch hispeed.ch telenet.be skynet.be ziggo.nl kpnmail.nl xs4all.nl"""
PUBLIC_DOMAINS = frozenset(_PUBLIC_DOMAINS.split())


def key(address: str) -> str:
    """An address as the contacts' unique index compares it (A–Z lower-cased)."""
    return ascii_lower(address.strip())


def is_machine(address: str) -> bool:
    """noreply@, no-reply@, donotreply@, mailer-daemon@, notifications@ and the like (with +tags or suffixes)."""
    local = key(address).partition("@")[0].split("+")[0]
    return local in _MACHINE_SENDERS or local.startswith(("noreply", "no-reply", "donotreply", "do-not-reply"))


def is_bulk(message: MailMessage) -> bool:
    """Whether the message is a newsletter, a mailing list's or an automatic one (not a person writing)."""
    signals = message.signals
    if "list-unsubscribe" in signals or "list-id" in signals:
        return True
    if signals.get("precedence", "").strip().lower() in _BULK_PRECEDENCE:
        return True
    auto = signals.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    return message.sender is not None and is_machine(message.sender[1])


class Blocklist:
    """Addresses and domains the owner never wants imported: 'someone@example.com', 'example.com' (and its
    subdomains)."""

    def __init__(self, entries: Iterable[str]):
        cleaned = [key(entry).lstrip("@") for entry in entries if entry.strip()]
        self.addresses = frozenset(entry for entry in cleaned if "@" in entry)
        self.domains = frozenset(entry for entry in cleaned if "@" not in entry)

    def blocks(self, address: str) -> bool:
        found = key(address)
        if found in self.addresses:
            return True
        domain = found.rpartition("@")[2]
        while domain:
            if domain in self.domains:
                return True
            domain = domain.partition(".")[2]
        return False


@dataclass(frozen=True, slots=True)
class Owner:
    """The owner's addresses, and their own domains (not a public mail provider's): mail between them is
    internal."""

    addresses: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def of(cls, addresses: Iterable[str]) -> Owner:
        keys = frozenset(key(a) for a in addresses if a.strip())
        domains = frozenset(a.rpartition("@")[2] for a in keys) - PUBLIC_DOMAINS
        return cls(keys, domains)

    def is_me(self, address: str) -> bool:
        return key(address) in self.addresses

    def is_internal(self, address: str) -> bool:
        found = key(address)
        return found in self.addresses or found.rpartition("@")[2] in self.domains


class SenderCount:
    """Counts who sent the mail that is not bulk, to find the owner: the most frequent sender."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.received: Counter[str] = Counter()  # of the senders, how often each was written to

    def add(self, message: MailMessage) -> None:
        if message.sender is not None and not is_bulk(message):
            self.counts[key(message.sender[1])] += 1
            for _, address in message.recipients:
                self.received[key(address)] += 1

    def owner(self) -> list[str]:
        """The most frequent sender; of senders as frequent, the one most often written to (the owner gets the
        replies); none when no message has a sender, or that still ties."""
        ranked = sorted(self.counts.items(), key=lambda item: (item[1], self.received[item[0]]), reverse=True)
        if not ranked:
            return []
        if len(ranked) > 1 and (ranked[0][1], self.received[ranked[0][0]]) == (
            ranked[1][1],
            self.received[ranked[1][0]],
        ):
            return []
        return [ranked[0][0]]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a message is: the kind of interaction and the correspondents it is with, or why it is skipped."""

    kind: str = ""
    correspondents: tuple[Address, ...] = ()
    skipped: str = ""


def classify(message: MailMessage, owner: Owner, blocklist: Blocklist) -> Verdict:
    """A message from a contact → email_reply with its sender; from the owner → contacted with each recipient who is
    not the owner; otherwise the reason it is skipped (the first rule that applies, in the order of the reasons)."""
    if message.moment is None:
        return Verdict(skipped=NO_DATE)
    if message.sender is None:
        return Verdict(skipped=NO_SENDER)
    if is_bulk(message):
        return Verdict(skipped=BULK)
    if len(message.recipients) > MAX_RECIPIENTS:
        return Verdict(skipped=MASS)
    if owner.is_me(message.sender[1]):
        kind = TO_CONTACT
        seen: set[str] = set()
        people = []
        for name, address in message.recipients:
            if not owner.is_internal(address) and key(address) not in seen and is_valid_email(address.strip()):
                seen.add(key(address))
                people.append((name, address.strip()))
    else:
        kind = FROM_CONTACT
        name, address = message.sender
        people = [] if owner.is_internal(address) or not is_valid_email(address.strip()) else [(name, address.strip())]
    if not people:
        return Verdict(skipped=INTERNAL)
    allowed = tuple(person for person in people if not blocklist.blocks(person[1]))
    if not allowed:
        return Verdict(skipped=BLOCKED)
    return Verdict(kind, allowed)


def source_key(message: MailMessage) -> str:
    """The message's identity: its Message-ID ('<…>'), or without one a hash of sender, date and subject."""
    if message.message_id:
        found = message.message_id
        return found if found.startswith("<") else f"<{found}>"
    sender = key(message.sender[1]) if message.sender else ""
    moment = message.moment.isoformat() if message.moment else ""
    digest = hashlib.sha256("\x00".join((sender, moment, message.subject)).encode("utf-8")).hexdigest()
    return f"mail:{digest[:40]}"


def person_name(name: str, address: str) -> str:
    """A display name worth keeping as a contact's name ('' for one that is the address again)."""
    cleaned = name.strip().strip("'\"").strip()
    return "" if not cleaned or "@" in cleaned or key(cleaned) == key(address) else cleaned
