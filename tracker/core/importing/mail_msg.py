"""Outlook .msg files read for their headers: a .msg is an OLE compound file of MAPI properties (MS-OXMSG), read
with olefile (BSD-licensed; extract-msg, the usual reader, is GPL).

A received message keeps its internet headers whole (PR_TRANSPORT_MESSAGE_HEADERS), read like an .eml's; what they
lack (a message saved from Drafts or Sent Items has none) comes from the properties: subject, sender, recipients,
Message-ID and the submit or delivery time."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.core.importing.mail_messages import (
    Address,
    MailMessage,
    decode_words,
    message_from_headers,
    parse_header_block,
)

_HEADERS = "007D"  # PR_TRANSPORT_MESSAGE_HEADERS
_SUBJECT = "0037"
_MESSAGE_ID = "1035"  # PR_INTERNET_MESSAGE_ID
_SENDER_SMTP = "5D01"  # PR_SENDER_SMTP_ADDRESS
_SENDER_EMAIL = "0C1F"  # PR_SENDER_EMAIL_ADDRESS (an Exchange X.500 name for internal senders)
_SENDER_NAME = "0C1A"
_RECIPIENT_SMTP = "39FE"  # PR_SMTP_ADDRESS
_RECIPIENT_EMAIL = "3003"
_RECIPIENT_NAME = "3001"
_TIMES = (0x0039, 0x0E06)  # PR_CLIENT_SUBMIT_TIME, PR_MESSAGE_DELIVERY_TIME (PT_SYSTIME)
_PT_SYSTIME = 0x0040
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_RECIPIENTS_LIMIT = 10_000  # recipient storages read; more than the rules' 20 says enough


def read_msg(path: Path) -> MailMessage | None:
    """The message of an Outlook .msg file; None when it is damaged or not a message."""
    import olefile  # type: ignore[import-untyped]  # BSD; loaded only when a .msg is read

    try:
        ole = olefile.OleFileIO(str(path))
    except (OSError, ValueError, struct.error, IndexError):  # olefile raises OSError for a damaged file
        return None
    try:
        return _message(ole)
    except (OSError, ValueError, struct.error, IndexError, UnicodeDecodeError):
        return None
    finally:
        ole.close()


def _message(ole: Any) -> MailMessage | None:
    headers_text = _string(ole, "", _HEADERS)
    headers = parse_header_block(headers_text.encode("utf-8")) if headers_text else {}
    if not headers and not ole.exists("__properties_version1.0"):
        return None
    message = message_from_headers(headers)
    if not message.subject:
        message.subject = decode_words(_string(ole, "", _SUBJECT))
    if not message.message_id:
        message.message_id = "".join(_string(ole, "", _MESSAGE_ID).split())
    if message.sender is None:
        address = _string(ole, "", _SENDER_SMTP) or _string(ole, "", _SENDER_EMAIL)
        if "@" in address:
            message.sender = (_string(ole, "", _SENDER_NAME), address)
    if not message.recipients:
        message.recipients = _recipients(ole)
    if message.moment is None:
        message.moment = _moment(ole)
    return message


def _string(ole: Any, storage: str, tag: str) -> str:
    """A string property: PT_UNICODE (001F, UTF-16) or PT_STRING8 (001E, the message's code page: cp1252 here)."""
    for suffix, encoding in (("001F", "utf-16-le"), ("001E", "cp1252")):
        name = f"{storage}__substg1.0_{tag}{suffix}"
        if ole.exists(name):
            raw: bytes = ole.openstream(name).read()
            return raw.decode(encoding, errors="replace").rstrip("\x00").strip()
    return ""


def _recipients(ole: Any) -> list[Address]:
    found: list[Address] = []
    storages = sorted({entry[0] for entry in ole.listdir() if entry[0].startswith("__recip_version1.0_#")})
    for storage in storages[:_RECIPIENTS_LIMIT]:
        prefix = storage + "/"
        address = _string(ole, prefix, _RECIPIENT_SMTP)
        if "@" not in address:
            address = _string(ole, prefix, _RECIPIENT_EMAIL)
        if "@" in address:
            found.append((_string(ole, prefix, _RECIPIENT_NAME), address))
    return found


def _moment(ole: Any) -> datetime | None:
    """When it was sent (else delivered), local time without a zone, from the top-level property stream."""
    if not ole.exists("__properties_version1.0"):
        return None
    data: bytes = ole.openstream("__properties_version1.0").read()
    times: dict[int, int] = {}
    for offset in range(32, len(data) - 15, 16):  # a message's stream has a 32-byte header, then 16 per property
        kind, tag = struct.unpack_from("<HH", data, offset)
        if kind == _PT_SYSTIME and tag in _TIMES:
            times[tag] = struct.unpack_from("<Q", data, offset + 8)[0]
    for tag in _TIMES:
        if times.get(tag):
            try:
                moment = (_FILETIME_EPOCH + timedelta(microseconds=times[tag] // 10)).astimezone()
            except (OverflowError, OSError):
                continue
            if 1900 <= moment.year <= 2200:
                return moment.replace(tzinfo=None)
    return None
