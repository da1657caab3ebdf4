"""Recognising what each column holds, from its header in many languages and export layouts."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from itertools import pairwise

import phonenumbers

from tracker.core.errors import ImportHint, ImportRejected
from tracker.core.normalize import default_region

#: No export's column title is longer; anything longer is data (and would make the header patterns backtrack).
MAX_HEADER = 80
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "company",
    "tags",
    "notes",
    "source",
    *(
        DETAIL_FIELDS := (
            "address",
            "address_part",
            "birthday",
            "anniversary",
            "consent",
            "customer_no",
            "total_orders",
            "total_spent",
            "custom",
        )
    ),
)
INTERACTION_FIELDS = (
    "email",
    "date",
    "kind",
    "amount",
    "score",
    "note",
    "channel",
    "order",
    "name",
    "phone",
    "first_name",
    "last_name",
    "customer_no",
    "status",
    "cancelled",
    "quantity",
    "unit_price",
)

_SYNONYMS: dict[str, list[str]] = {
    "email": [
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "email 1",
        "e-mail 1 - value",
        "e-mail 1",
        "primary email",
        "email 1 - value",
        "billing email",
        "customer email",
        "courriel",
        "adresse de messagerie",
        "adresse e-mail",
        "adresse email",
        "e-mail-adresse",
        "e-mail adresse",
        "correo",
        "correo electronico",
        "posta elettronica",
        "indirizzo email",
        "эл. почта",
        "электронная почта",
        "почта",
        "email адрес",
        "电子邮件",
        "电子邮箱",
        "邮箱",
        "電子郵件",
        "メールアドレス",
        "メール",
        "이메일",
        "e-posta",
        "sähköposti",
        "epost",
    ],
    "first_name": [
        "first name",
        "firstname",
        "first",
        "given name",
        "forename",
        "billing first name",
        "vorname",
        "prenom",
        "nombre",
        "nome",
        "voornaam",
        "imie",
        "имя",
        "名",
        "名前",
        "이름",
    ],
    "last_name": [
        "last name",
        "lastname",
        "last",
        "surname",
        "family name",
        "billing last name",
        "nachname",
        "nom",
        "nom de famille",
        "apellido",
        "apellidos",
        "cognome",
        "achternaam",
        "nazwisko",
        "фамилия",
        "姓",
        "성",
    ],
    "name": [
        "name",
        "full name",
        "fullname",
        "display name",
        "contact name",
        "customer name",
        "billing name",
        "contact",
        "customer",
        "client",
        "nom complet",
        "vollstandiger name",
        "nombre completo",
        "имя и фамилия",
        "фио",
        "姓名",
        "氏名",
        "名称",
    ],
    "phone": [
        "phone",
        "phone number",
        "telephone",
        "tel",
        "mobile",
        "mobil",
        "handy",
        "mobile phone",
        "cell",
        "cell phone",
        "phone 1 - value",
        "primary phone",
        "default address phone",
        "business phone",
        "home phone",
        "billing phone",
        "mobiltelefon",
        "telefon",
        "telefonnummer",
        "telephone mobile",
        "tel. mobile",
        "tel mobile",
        "portable",
        "telefono",
        "movil",
        "cellulare",
        "телефон",
        "мобильный",
        "мобильный телефон",
        "电话",
        "手机",
        "电话号码",
        "電話",
        "電話番号",
        "携帯電話",
        "전화",
    ],
    "company": [
        "company",
        "company name",
        "organization",
        "organisation",
        "default address company",
        "organization name",
        "organization 1 - name",
        "business",
        "business name",
        "account",
        "firma",
        "unternehmen",
        "societe",
        "entreprise",
        "empresa",
        "azienda",
        "bedrijf",
        "компания",
        "организация",
        "公司",
        "会社",
        "会社名",
        "회사",
    ],
    "tags": [
        "tags",
        "tag",
        "labels",
        "label",
        "categories",
        "category",
        "group membership",
        "groups",
        "segments",
        "lists",
        "kategorien",
        "categories outlook",
        "etiquettes",
        "categorias",
        "метки",
        "теги",
        "标签",
        "タグ",
    ],
    "notes": ["notes", "note", "comments", "comment", "notizen", "remarques", "notas", "заметки", "备注", "メモ"],
    "source": ["source", "lead source", "origin", "quelle"],
    "address": [
        "address",
        "address - formatted",
        "formatted address",
        "full address",
        "mailing address",
        "postal address",
        "home address",
        "business address",
        "street address",
        "adresse",
        "anschrift",
        "direccion",
        "indirizzo",
        "адрес",
        "地址",
        "住所",
        "주소",
    ],
    "address_part": [
        "street",
        "address - street",
        "address - extended address",
        "address - po box",
        "address - city",
        "address - region",
        "address - postal code",
        "address - country",
        "address1",
        "address2",
        "address line 1",
        "address line 2",
        "street 1",
        "street 2",
        "city",
        "town",
        "zip",
        "zip code",
        "postal code",
        "postcode",
        "state",
        "province",
        "county",
        "country",
        "country code",
        "province code",
        "default address address1",
        "default address address2",
        "default address city",
        "default address province",
        "default address province code",
        "default address country",
        "default address country code",
        "default address zip",
        "billing address1",
        "billing address2",
        "billing city",
        "billing zip",
        "billing province",
        "billing country",
        "business street",
        "business city",
        "business postal code",
        "business state",
        "business country/region",
        "home street",
        "home city",
        "home postal code",
        "home state",
        "home country/region",
        "strasse",
        "strasse geschaftlich",
        "strasse privat",
        "ort",
        "ort geschaftlich",
        "ort privat",
        "plz",
        "postleitzahl",
        "postleitzahl geschaftlich",
        "postleitzahl privat",
        "stadt",
        "land",
        "rue",
        "ville",
        "code postal",
        "pays",
        "calle",
        "ciudad",
        "codigo postal",
        "citta",
        "cap",
    ],
    "birthday": [
        "birthday",
        "birth date",
        "birthdate",
        "date of birth",
        "dob",
        "born",
        "geburtstag",
        "geburtsdatum",
        "date de naissance",
        "anniversaire",
        "fecha de nacimiento",
        "cumpleanos",
        "data di nascita",
        "compleanno",
        "verjaardag",
        "geboortedatum",
        "день рождения",
        "дата рождения",
        "生日",
        "誕生日",
        "생일",
    ],
    "anniversary": ["anniversary", "wedding anniversary", "jahrestag", "hochzeitstag", "aniversario", "anniversario"],
    "consent": [
        "accepts email marketing",
        "accepts marketing",
        "email marketing consent",
        "email marketing",
        "marketing consent",
        "consent",
        "opt in",
        "opt-in",
        "email opt in",
        "marketing opt-in",
        "newsletter",
        "subscribed",
        "subscription status",
        "email subscription status",
        "mailchimp status",
        "gdpr consent",
        "einwilligung",
        "newsletter abonniert",
        "consentement",
    ],
    "customer_no": [
        "customer id",
        "customerid",
        "customer number",
        "customer no",
        "customer #",
        "customer nr",
        "client id",
        "client number",
        "account number",
        "kundennummer",
        "kunden-nr",
        "kundennr",
        "numero client",
        "n client",
        "numero de cliente",
    ],
    "total_orders": [
        "total orders",
        "orders count",
        "order count",
        "number of orders",
        "# of orders",
        "orders",
        "anzahl bestellungen",
        "nombre de commandes",
    ],
    "total_spent": [
        "total spent",
        "amount spent",
        "total spend",
        "lifetime value",
        "customer lifetime value",
        "total sales",
        "total revenue",
        "ltv",
        "clv",
        "umsatz",
        "montant total",
    ],
}

_INTERACTION_SYNONYMS: dict[str, list[str]] = {
    "email": _SYNONYMS["email"]
    + [
        "contact email",
        "contact",
        "associated contact email",
        "contact email address",
        "customer e-mail",
        "buyer email",
        "recipient email",
        "billing email address",
    ],
    "date": [
        "date",
        "occurred at",
        "occurred_at",
        "timestamp",
        "time",
        "datetime",
        "date time",
        "date/time",
        "when",
        "created at",
        "created",
        "create date",
        "created date",
        "creation date",
        "date created",
        "activity date",
        "paid at",
        "paid date",
        "order date",
        "order_date",
        "order created",
        "order created at",
        "invoice date",
        "invoicedate",
        "transaction date",
        "purchase date",
        "sale date",
        "sent at",
        "sent date",
        "logged at",
        "datum",
        "fecha",
        "data",
        "дата",
        "日期",
        "日付",
    ],
    "kind": [
        "type",
        "kind",
        "event",
        "activity",
        "action",
        "interaction",
        "event type",
        "activity type",
        "engagement type",
        "interaction type",
    ],
    "amount": [
        "amount",
        "total",
        "value",
        "revenue",
        "price",
        "order total",
        "order_total",
        "cart total",
        "basket total",
        "grand total",
        "order value",
        "order amount",
        "total amount",
        "total price",
        "total paid",
        "amount paid",
        "payment amount",
        "transaction amount",
        "sale amount",
        "deal amount",
        "net sales",
        "gross sales",
        "betrag",
        "montant",
        "importe",
        "сумма",
        "金额",
    ],
    "score": ["score", "rating", "nps", "nps score"],
    "note": [
        "note",
        "notes",
        "comment",
        "comments",
        "description",
        "details",
        "lineitem name",
        "subject",
        "activity subject",
        "body",
        "activity body",
        "product",
        "product name",
        "item",
        "item name",
        "items",
        "line item",
        "line item name",
        "product title",
    ],
    "channel": ["channel", "medium", "via"],
    "order": [
        "order",
        "order id",
        "order number",
        "order_id",
        "order name",
        "order #",
        "order no",
        "order nr",
        "invoice",
        "invoice no",
        "invoiceno",
        "invoice number",
        "invoice id",
        "receipt",
        "receipt no",
        "receipt number",
        "transaction id",
        "bestellnummer",
    ],
    "name": [
        "billing name",
        "customer name",
        "full name",
        "customer",
        "client",
        "buyer",
        "buyer name",
        "shipping name",
        "contact name",
        "associated contact",
    ],
    "phone": [
        "billing phone",
        "phone",
        "phone number",
        "mobile",
        "telephone",
        "tel",
        "shipping phone",
        "customer phone",
        "contact phone",
    ],
    "first_name": ["first name", "billing first name", "shipping first name", "customer first name"],
    "last_name": ["last name", "billing last name", "shipping last name", "customer last name"],
    "customer_no": [
        "customer id",
        "customerid",
        "customer no",
        "customer number",
        "customer #",
        "customer nr",
        "customer code",
        "customer ref",
        "customer reference",
        "client id",
        "client number",
        "member id",
        "member number",
        "account number",
        "loyalty number",
        "buyer id",
        "buyer user id",
        "kundennummer",
        "kundennr",
    ],
    "status": ["financial status", "payment status", "status", "order status", "order_status", "payment state"],
    "cancelled": [
        "cancelled at",
        "canceled at",
        "cancelled",
        "canceled",
        "cancelled date",
        "cancellation date",
        "date cancelled",
        "voided at",
    ],
    "quantity": ["quantity", "qty", "lineitem quantity", "menge", "quantite", "cantidad"],
    "unit_price": ["unit price", "unitprice", "lineitem price", "item price", "unit cost"],
}


def normalise_header(text: str) -> str:
    """Lower-case, accents and the `(UTC+0)`-style suffixes removed, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff")[: MAX_HEADER * 4])
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("ß", "ss")
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[_*:]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" :.")
    return text


def _index(synonyms: dict[str, list[str]]) -> dict[str, str]:
    return {normalise_header(word): field for field, words in synonyms.items() for word in words}


_CONTACT_INDEX = _index(_SYNONYMS)
_INTERACTION_INDEX = _index(_INTERACTION_SYNONYMS)
_INNER_NUMBER = re.compile(r"\s\d+(?=\s|$)")
_NUMBERED = re.compile(r"^(.*?)\s*\d+\s*(?:-?\s*(value|address|adresse))?$")
_EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME_VALUE = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+){0,3}\.?$")
_PHONE_VALUE = re.compile(r"^'?\+?[\d\s().\-/]{6,20}$")
MULTI_VALUE = " ::: "


def _lookup(header: str, index: dict[str, str]) -> str | None:
    if len(header) > MAX_HEADER:
        return None
    key = normalise_header(header)
    if key in index:
        return index[key]
    numbered = _NUMBERED.match(key)  # "E-mail 2 - Value", "Phone 3 - Value", "Email 1"
    if numbered and numbered.group(1) in index:
        return index[numbered.group(1)]
    inner = _INNER_NUMBER.sub("", key)  # "Address 1 - Formatted" → "address - formatted"
    if inner != key and inner in index:
        return index[inner]
    return _near(key, index)


def _near(key: str, index: dict[str, str]) -> str | None:
    """A header one slip away from a known one ("FIRSNAME", "E-Mial", "Telephon"): the field of the closest known
    header when it is close (difflib ratio ≥ 0.88) and no other field is as close. Headers of 5+ letters in one or
    two words only ("Accepts SMS Marketing" is not a slip of "Accepts Email Marketing") and within one letter of
    the known header's length."""
    if len(key) < 5 or key.count(" ") > 1 or not key.replace(" ", "").isalpha():
        return None
    squeezed = key.replace(" ", "")
    close = difflib.get_close_matches(squeezed, _squeezed(id(index), index), n=3, cutoff=0.88)
    # a slip keeps the length within one letter: "Activity ID" is not "Activity" with a slip
    fields = {_squeezed(id(index), index)[match] for match in close if abs(len(match) - len(squeezed)) <= 1}
    return fields.pop() if len(fields) == 1 else None


_SQUEEZED: dict[int, dict[str, str]] = {}


def _squeezed(key: int, index: dict[str, str]) -> dict[str, str]:
    """The index with spaces removed from its headers ("first name" → "firstname"), built once per index."""
    found = _SQUEEZED.get(key)
    if found is None:
        found = _SQUEEZED[key] = {
            header.replace(" ", ""): field for header, field in index.items() if len(header.replace(" ", "")) >= 5
        }
    return found


#: What the user says each column holds, given to the importers: a column by its position in the header (from 0,
#: as the window's Columns page knows it, so two columns with the same title can hold different fields) or by its
#: title (as typed on the command line; every column with that title), → a field or "ignore".
ColumnChoices = Mapping[int | str, str]
_CHOICE = ImportHint.COLUMN_CHOICE


def parse_mapping_pairs(pairs: Iterable[str]) -> dict[int | str, str]:
    """`["Column=field", …]` as typed → {column title: field}; the importers check the titles and fields."""
    out: dict[int | str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ImportRejected(f"'{pair}' is not a column and a field joined by '=' (Column=field).", _CHOICE)
        column, field = (part.strip() for part in pair.rsplit("=", 1))
        out[column] = field
    return out


def resolve_choices(
    header: list[str], choices: ColumnChoices | None, fields: tuple[str, ...], source: str
) -> dict[int, str]:
    """The user's column choices as {column position: field or "ignore"}, or ImportRejected naming the column or
    field that is not there. A position wins over a title naming the same column."""
    if choices is not None and not isinstance(choices, Mapping):  # a programming error, not the user's
        raise TypeError("mapping is {column: field}; parse 'Column=field' strings with parse_mapping_pairs first")
    out: dict[int, str] = {}
    by_position: dict[int, str] = {}
    for column, field in (choices or {}).items():
        if field not in (*fields, "ignore"):
            raise ImportRejected(f"'{field}' is not a field; use one of {', '.join(fields)} or ignore.", _CHOICE)
        if isinstance(column, int):
            if not 0 <= column < len(header):
                raise ImportRejected(
                    f"{source} has no column {column + 1} (it has {len(header)}: {shown_columns(header)}).", _CHOICE
                )
            by_position[column] = field
            continue
        key = normalise_header(column)
        positions = [position for position, title in enumerate(header) if normalise_header(title) == key]
        if not positions:
            raise ImportRejected(f"{source} has no column '{column}' (columns: {shown_columns(header)}).", _CHOICE)
        out.update(dict.fromkeys(positions, field))
    out.update(by_position)
    return out


#: Words that stand for "no value" in exports (HubSpot writes `null`); never a phone, an e-mail or a name.
NULL_WORDS = frozenset({"null", "none", "n/a", "na", "nil", "nan", "undefined", "-", "--", "—", "#n/a"})
_DATE_VALUE = re.compile(
    r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))"
    r"(?:,?[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?\s*(?:z|[+-]\d{2}:?\d{2})?)?$",
    re.IGNORECASE,
)
_IP_VALUE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})$", re.IGNORECASE)
_MONEY_VALUE = re.compile(
    r"^[-+]?(?:[$€£¥₹]|[A-Z]{3}\s)?\s*\d{1,3}(?:[,.\s' ]?\d{3})*(?:[.,]\d{1,2})?\s*(?:[$€£¥₹]|\s[A-Z]{3})?$"
)
_CURRENCY = re.compile(r"[$€£¥₹]|(?:^|\s)[A-Z]{3}(?:\s|$)")
_DECIMALS = re.compile(r"\d[.,]\d{1,2}\s*\D*$")
#: Headers that name something else than a phone even when its values could be dialled (a birthday as 19800223,
#: a customer number with a leading zero).
_NOT_PHONE_HEADER = re.compile(
    r"\b(?:date|datum|time|day|birthday|birth|birthdate|geburtstag|geburtsdatum|naissance|anniversary|jahrestag|"
    r"created|updated|changed|ip|ip address|price|prix|preis|total|subtotal|balance|spent|amount|betrag|montant|"
    r"cost|revenue|tax|discount|id|ids|number of|orders|count|zip|postal|postcode|plz|code postal|quantity|rating|"
    r"score|points)\b"
)


def value_kind(value: str) -> str | None:
    """What a value that is not a phone number evidently is: 'null', 'date', 'ip', 'money' or 'id'; else None.

    A bare run of digits without a leading 0 or + is an id (a record number, a customer number): a phone written
    that way cannot be told from one, so it is not taken for a phone from its values alone."""
    text = value.strip().lstrip("'")
    if text.lower() in NULL_WORDS:
        return "null"
    if _DATE_VALUE.match(text):
        return "date"
    if ("." in text or ":" in text) and _IP_VALUE.match(text):
        return "ip"
    if _MONEY_VALUE.match(text) and (_CURRENCY.search(text) or _DECIMALS.search(text)):
        return "money"
    if text.isdigit() and not text.startswith("0"):
        return "id"
    return None


def not_a_phone(value: str) -> bool:
    """Cheap, for every cell of a phone column: a null-word, a date or an IP address cannot be a phone number."""
    text = value.strip()
    return (
        text.lower() in NULL_WORDS
        or bool(_DATE_VALUE.match(text))
        or (("." in text or ":" in text) and bool(_IP_VALUE.match(text)))
    )


#: Where a number without + that is not possible in the default region is tried next (first success wins), so
#: that a German file on an American system is still recognised.
_OTHER_REGIONS = ("GB", "DE", "FR", "US", "IT", "ES", "NL", "PL", "AU", "IN", "BR", "JP", "CN")


def _possible_phone(value: str, region: str) -> bool:
    text = value.strip().lstrip("'").strip()
    regions = (None,) if text.startswith("+") else (region, *(r for r in _OTHER_REGIONS if r != region))
    for where in regions:
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(text, where)):
                return True
        except phonenumbers.NumberParseException:
            return False
    return False


def _sequential(values: list[str]) -> bool:
    """Digit runs that count up in small steps (0001, 0002, …): record numbers, not phones."""
    numbers = [int(v) for v in values if v.isdigit()]
    if len(numbers) < 3 or len(numbers) < 0.8 * len(values):
        return False
    steps = [b - a for a, b in pairwise(numbers)]
    return sum(0 < step <= 1000 for step in steps) >= 0.8 * len(steps)


def infer_from_values(values: list[str], region: str | None = None) -> str | None:
    """'email', 'phone' or 'name' when most non-empty values evidently are one; None otherwise.

    A column is a phone only if most values parse as possible numbers (Google's phonenumbers, in `region` unless
    they start with +) and are not dates, IP addresses, money, ids or null-words. Call it on a sample (≤ 200)."""
    filled = [v.strip() for v in values if v and v.strip() and v.strip().lower() not in NULL_WORDS]
    if len(filled) < 1:
        return None
    first = [v.split(MULTI_VALUE)[0].strip() for v in filled]
    need = 0.8 * len(first)
    if sum(bool(_EMAIL_VALUE.match(v)) for v in first) >= need:
        return "email"
    shaped = [v for v in first if _PHONE_VALUE.match(v) and sum(c.isdigit() for c in v) >= 6 and not value_kind(v)]
    if len(shaped) >= need and not _sequential([v.lstrip("'").replace(" ", "") for v in first]):
        region = region or default_region()
        allowed = len(first) - need  # values that may fail before the column cannot be a phone any more
        failed = len(first) - len(shaped)
        for value in shaped:
            if not _possible_phone(value, region):
                failed += 1
                if failed > allowed:
                    break
        else:
            return "phone"
    if sum(bool(_NAME_VALUE.match(v)) and " " in v for v in first) >= need:
        return "name"
    return None


def header_score(row: list[str], interactions: bool = False) -> int:
    """How many cells of a row are known column names: the header row is the one that scores best."""
    index = _INTERACTION_INDEX if interactions else _CONTACT_INDEX
    return sum(1 for cell in row if cell.strip() and _lookup(cell, index))


def map_columns(
    header: list[str],
    *,
    interactions: bool = False,
    overrides: Mapping[int, str] | None = None,
    sample: list[list[str]] | None = None,
) -> dict[int, str]:
    """Column index → field. Where a field appears in several columns all are kept (first non-empty wins).

    `overrides` (column index → field or "ignore", see `resolve_choices`) decide their columns; other headers are
    matched against names in many languages and export layouts; a column whose header is unknown is recognised
    from its values in `sample` (e-mail addresses, phone numbers).
    """
    index = _INTERACTION_INDEX if interactions else _CONTACT_INDEX
    overrides = overrides or {}
    mapping: dict[int, str] = {}
    for position, title in enumerate(header):
        override = overrides.get(position)
        if override:
            if override != "ignore":
                mapping[position] = override
            continue
        field = _lookup(title, index)
        if field:
            mapping[position] = field
    if sample:
        for position, title in enumerate(header):
            if position in mapping or position in overrides:
                continue
            inferred = infer_from_values([row[position] for row in sample if position < len(row)])
            if inferred == "phone" and _NOT_PHONE_HEADER.search(normalise_header(title)):
                inferred = None  # "Birthday" holding 19800223, "Customer ID" holding 0151…: the header says otherwise
            names_known = {"name", "first_name", "last_name"} & set(mapping.values())
            if inferred in ("email", "phone") or (inferred == "name" and not names_known and not interactions):
                mapping[position] = inferred
    if not interactions:
        for position, title in enumerate(header):
            if position not in mapping and position not in overrides and keep_as_custom(title):
                mapping[position] = "custom"
    return mapping


#: Columns that describe another column ("E-mail 1 - Label": "* Home") or hold a picture's address: not kept.
_COMPANION = re.compile(r"(?:\s-\s|\b)(?:label|type|photo|picture|avatar|image)\s*$")


def keep_as_custom(title: str) -> bool:
    """Whether an unrecognised column is kept on each contact as a custom field (by its title): every column
    with a title, except labels and types of other columns and pictures."""
    key = normalise_header(title)
    return bool(key) and len(title) <= MAX_HEADER and not _COMPANION.search(key)


def header_recognition(line: str) -> float:
    """Share of a line's cells that are known column names (any delimiter): evidence it was decoded right."""
    cells = [c for c in re.split(r"[,;\t|]", line) if c.strip()]
    if not cells:
        return 0.0
    known = sum(
        1
        for c in cells
        if _lookup(c.strip().strip('"'), _CONTACT_INDEX) or _lookup(c.strip().strip('"'), _INTERACTION_INDEX)
    )
    return known / len(cells)


#: Headers that only a shop's order export has; there "Name" is the order number (#1001), not a person.
SHOP_HEADERS = {"lineitem name", "financial status", "lineitem quantity"}


def is_order_export(header: list[str]) -> bool:
    """A shop's or till's orders (one row per line item, grouped by order number): Shopify's own headers, or an
    order or invoice number column in a file that has no type column (an activity log with order numbers is not)."""
    titles = {normalise_header(h) for h in header}
    if titles & SHOP_HEADERS:
        return True
    fields = {_lookup(h, _INTERACTION_INDEX) for h in header}
    return "order" in fields and "kind" not in fields


def looks_like_interactions(header: list[str]) -> bool:
    """Whether a file is an activity log or an order export: a date column and a type, order or amount column."""
    fields = set(map_columns(header, interactions=True).values())
    return "date" in fields and bool(fields & {"kind", "order", "amount"})


#: A column header that names who handled an activity (a salesperson, the account's user), not the customer.
_OWNER_HEADER = re.compile(
    r"\b(?:owner|owners|agent|sales ?rep|rep|salesperson|sales person|seller|user|assigned|assignee|created by|"
    r"creator|sender|from|author|logged by|employee|staff|host|organi[sz]er|manager|hubspot team)\b"
)
_ORDER_VALUE = re.compile(r"^#\s*\d+$")  # "#1001": a shop's order name
_ID_VALUE = re.compile(r"^[A-Za-z]{0,3}-?\d{3,}$")  # "12346", "C-1042": a customer number in a "Customer" column


def _slip_of_an_id(title: str) -> bool:
    """A header taken for a known one by a slip (see `_near`) that is that header with "id" after it."""
    key = normalise_header(title)
    if not key.endswith("id") or key in _INTERACTION_INDEX:
        return False
    numbered = _NUMBERED.match(key)
    return not (numbered and numbered.group(1) in _INTERACTION_INDEX)


def _filled(rows: list[list[str]], position: int) -> list[str]:
    return [row[position].strip() for row in rows if position < len(row) and row[position].strip()]


def _owner_columns(header: list[str], rows: list[list[str]], candidates: list[int]) -> set[int]:
    """Of several e-mail columns, those that hold an owner's address (a salesperson's) rather than the customer's:
    the header says so ("Activity Owner", "Assigned To", "Sales Rep"), or a few addresses repeat down the column
    while another e-mail column varies. At least one column is always left."""
    owners = {p for p in candidates if _OWNER_HEADER.search(normalise_header(header[p]))}
    if len(owners) == len(candidates):
        owners = set()
    left = [p for p in candidates if p not in owners]
    if len(left) > 1:
        distinct = {p: len({v.lower() for v in _filled(rows, p)}) for p in left}
        filled = {p: len(_filled(rows, p)) for p in left}
        most = max(distinct.values())
        for p in left:
            if filled[p] >= 6 and distinct[p] <= max(2, filled[p] // 4) and most >= 2 * distinct[p] + 2:
                owners.add(p)
    return owners


def _date_column(header: list[str], rows: list[list[str]], taken: Iterable[int]) -> int | None:
    """An untitled or unknown column whose values are mostly dates (ISO, d/m/y, with times, month names)."""
    from tracker.core.importing.dates import DAY_FIRST, MONTH_FIRST, iso_text  # dates imports nothing of ours

    skip = set(taken)
    for position in range(len(header)):
        if position in skip:
            continue
        values = _filled(rows, position)[:50]
        if len(values) < 1:
            continue
        read = sum(bool(iso_text(v, DAY_FIRST) or iso_text(v, MONTH_FIRST)) for v in values)
        if read >= 0.8 * len(values) and any(not v.isdigit() for v in values):
            return position
    return None


def suggest_mapping(
    header: list[str], rows: list[list[str]], *, interactions: bool, overrides: Mapping[int, str] | None = None
) -> dict[int, str]:
    """The mapping an import starts from: the user's overrides (by column index), the shop-export rule, headers,
    then values.

    For interactions, values also decide: of several e-mail columns the customer's is kept over an owner's (see
    `_owner_columns`); a "name" column of order numbers (#1001) is the order; one of addresses is the e-mail; a
    column of dates is the date when no header says so."""
    merged = dict(overrides or {})
    if interactions and {normalise_header(h) for h in header} & SHOP_HEADERS:
        for position, title in enumerate(header):
            if normalise_header(title) == "name":
                merged.setdefault(position, "order")
    sample = rows[:200]
    mapping = map_columns(header, interactions=interactions, overrides=merged, sample=sample)
    if not interactions:
        return mapping
    fixed = set(overrides or {})
    for position, field in list(mapping.items()):
        if position not in fixed and _slip_of_an_id(header[position]):
            del mapping[position]  # "Activity ID" is not a slip of "Activity" (the type): the activity's id
            continue
        if field != "name" or position in fixed:
            continue
        values = _filled(sample, position)
        need = 0.8 * len(values)
        phones = values and sum(bool(_PHONE_VALUE.match(v)) for v in values) >= need
        if phones and infer_from_values(values) == "phone":  # a "Customer" column of 07700 900004: their phones
            mapping[position] = "phone"
            continue
        for pattern, instead in ((_ORDER_VALUE, "order"), (_ID_VALUE, "customer_no"), (_EMAIL_VALUE, "email")):
            if values and sum(bool(pattern.match(v)) for v in values) >= need:
                if instead != "email" and instead in mapping.values():
                    del mapping[position]
                else:
                    mapping[position] = instead
                break
    emails = [p for p, f in sorted(mapping.items()) if f == "email" and p not in fixed]
    if len(emails) > 1:
        for position in _owner_columns(header, sample, emails):
            del mapping[position]
    if "date" not in mapping.values():
        found = _date_column(header, sample, [*mapping, *fixed])
        if found is not None:
            mapping[found] = "date"
    return mapping


def shown_columns(header: list[str], limit: int = 8) -> str:
    """Column titles for a one-line message: whitespace collapsed, long ones cut, at most `limit` of them."""
    shown = []
    for title in header[:limit]:
        text = " ".join(title.split())
        shown.append(text if len(text) <= 24 else text[:23] + "…")
    return ", ".join(shown) + (", …" if len(header) > limit else "")
