"""Make Tracker's demo data: resources/demo/contacts.csv and resources/demo/interactions.csv.

The demo shop is "Fern & Flour", a small florist-and-bakery. The script writes:

* ``contacts.csv`` — 300 customers with names from many countries (Zoë Müller, Дмитрий Иванов, 王伟, 佐藤 花子,
  Łukasz Kowalski …), unique lowercase ASCII e-mails on ``*.example`` domains, phone numbers for about 70 %,
  some companies, tags and notes. Columns: ``First Name,Last Name,Email,Phone,Company,Tags,Notes``.
* ``interactions.csv`` — a year of activity (2025-11-24 to 2026-11-20): newsletter opens and clicks, website
  visits, enquiries, calls, workshops, purchases with seasonal peaks (Christmas, Valentine's, Mother's Day,
  wedding season), surveys, referrals and reviews. Columns: ``email,date,type,amount,score,note``.

The population is shaped so that, as of 2026-11-23, the contacts fill all six engagement levels: about 30 % with
no activity at all, leads who only open e-mails and visit the site, people who replied or called, one-time buyers,
repeat buyers (some with 5-15 purchases), a handful of advocates, customers drifting away (last seen 100-300 days
ago), a few recent detractors (NPS 0-6 in the last 60 days) and a few warm leads (active in the last 10 days).

It uses only the standard library and a fixed random seed, so every run writes byte-identical files.
Re-run it from the project root after changing it:

    python resources/make_demo_data.py
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

SEED = 20261123
AS_OF = date(2026, 11, 23)  # the day the demo is meant to be looked at
FIRST_DAY = date(2025, 11, 24)  # inside the 365-day window as of AS_OF
LAST_DAY = date(2026, 11, 20)
OUT_DIR = Path(__file__).resolve().parent / "demo"

CONTACT_COLUMNS = ["First Name", "Last Name", "Email", "Phone", "Company", "Tags", "Notes"]
INTERACTION_COLUMNS = ["email", "date", "type", "amount", "score", "note"]
TAG_ORDER = ["wedding", "wholesale", "corporate", "regular", "vip", "newsletter"]

# How many contacts of each kind; the comments give the level each lands on as of AS_OF.
ARCHETYPES = {
    "dormant": 90,  # Awareness: in the database, no activity
    "lead": 50,  # Interest: opens and visits only
    "lead_warm": 5,  # Interest, active in the last 10 days
    "engaged": 39,  # Interaction: replied, called, came to a workshop
    "engaged_warm": 4,  # Interaction, active in the last 10 days
    "engaged_detractor": 2,  # Interaction, NPS 0-6 in the last 60 days
    "one_time": 32,  # Conversion: bought on one day
    "one_time_drifting": 6,  # Conversion, last seen 100-300 days ago
    "one_time_detractor": 2,  # Conversion, NPS 0-6 in the last 60 days
    "repeat": 25,  # Retention: bought on 2-4 days
    "regular": 20,  # Retention: 5-15 purchase days across the year
    "repeat_drifting": 8,  # Retention, last seen 100-300 days ago
    "repeat_detractor": 2,  # Retention, NPS 0-6 in the last 60 days
    "advocate": 15,  # Advocacy: referral, review, testimonial or NPS 9-10
}
BUYERS = {
    "one_time",
    "one_time_drifting",
    "one_time_detractor",
    "repeat",
    "regular",
    "repeat_drifting",
    "repeat_detractor",
    "advocate",
}

# ---------------------------------------------------------------------------------------------------------------
# Names. Entries are "Native[=ascii][:gender]"; last names may be "male/female" forms. The ASCII part is only
# needed where transliteration of the native spelling would not give a sensible e-mail address.


@dataclass
class Locale:
    key: str
    weight: int
    first: str
    last: str
    phone: str  # a template: each '#' becomes a random digit


LOCALES = [
    Locale(
        "gb",
        38,
        "Oliver:m;Amelia:f;George:m;Isla:f;Harry:m;Olivia:f;Jack:m;Emily:f;Charlotte:f;Thomas:m;Sophie:f;"
        "James:m;Grace:f;William:m;Freya:f;Alfie:m;Poppy:f;Henry:m;Ruby:f;Arthur:m;Daisy:f;Oscar:m;Evie:f;"
        "Noah:m;Imogen:f;Rhys:m;Megan:f;Callum:m;Eilidh:f;Fiona:f",
        "Smith;Jones;Taylor;Brown;Williams;Wilson;Evans;Roberts;Walker;Wright;Hughes;Green;Hall;Wood;"
        "Clarke;Patel;Khan;O'Brien;Murphy;Campbell;Davies;Edwards;Turner;Baker;Fletcher;Ashworth;Begum;Mistry",
        "+44 7700 900###",
    ),
    Locale(
        "ie",
        4,
        "Siobhán:f;Niamh:f;Seán:m;Aoife:f;Ciarán:m;Pádraig:m;Róisín:f",
        "O'Sullivan;Byrne;Ó Briain/Ní Bhriain;Kavanagh;Ó Dónaill/Ní Dhónaill;Gallagher",
        "+353 85 ### ####",
    ),
    Locale(
        "de",
        8,
        "Lukas:m;Hannah:f;Jürgen:m;Jörg:m;Sophie:f;Maximilian:m;Lena:f;Jonas:m;Zoë:f;Anja:f;Katrin:f;"
        "Björn:m;Günther:m;Ursula:f",
        "Müller;Schmidt;Schneider;Fischer;Weber;Becker;Schäfer;Groß;Köhler;Wagner;Hoffmann;Weiß",
        "+49 151 ########",
    ),
    Locale(
        "fr",
        7,
        "Chloé:f;Élodie:f;Léa:f;Théo:m;Hélène:f;François:m;Amélie:f;Gaëlle:f;Jérôme:m;Inès:f;Benoît:m",
        "Dubois;Lefèvre;Moreau;Girard;Lambert;Rousseau;Fournier;Bonnet;Mercier;Faure;Leclerc",
        "+33 6 ## ## ## ##",
    ),
    Locale(
        "es",
        6,
        "María:f;José:m;Lucía:f;Sofía:f;Álvaro:m;Iñigo:m;Begoña:f;Javier:m;Carmen:f;Andrés:m",
        "Núñez;García;Fernández;López;Martínez;Sánchez;Pérez;Gómez;Muñoz;Jiménez;Peña",
        "+34 6## ### ###",
    ),
    Locale(
        "pl",
        5,
        "Łukasz:m;Małgorzata:f;Paweł:m;Agnieszka:f;Krzysztof:m;Zofia:f;Wojciech:m;Katarzyna:f",
        "Kowalski/Kowalska;Nowak;Wiśniewski/Wiśniewska;Wójcik;Zieliński/Zielińska;Dąbrowski/Dąbrowska",
        "+48 5## ### ###",
    ),
    Locale(
        "ru",
        4,
        "Дмитрий=dmitri:m;Анна=anna:f;Сергей=sergei:m;Ольга=olga:f;Наталья=natalia:f;"
        "Алексей=alexei:m;Екатерина=ekaterina:f",
        "Иванов/Иванова=ivanov/ivanova;Смирнов/Смирнова=smirnov/smirnova;Кузнецов/Кузнецова=kuznetsov/"
        "kuznetsova;Попов/Попова=popov/popova;Соколов/Соколова=sokolov/sokolova",
        "+7 9## ###-##-##",
    ),
    Locale(
        "cn",
        5,
        "伟=wei:m;芳=fang:f;静=jing:f;磊=lei:m;秀英=xiuying:f;强=qiang:m;丽=li:f;敏=min:f;浩然=haoran:m",
        "王=wang;李=li;张=zhang;刘=liu;陈=chen;杨=yang;黄=huang",
        "+86 13# #### ####",
    ),
    Locale(
        "jp",
        4,
        "花子=hanako:f;翔太=shota:m;陽菜=hina:f;健=ken:m;美咲=misaki:f;大輔=daisuke:m;結衣=yui:f",
        "佐藤=sato;鈴木=suzuki;高橋=takahashi;田中=tanaka;渡辺=watanabe;伊藤=ito",
        "+81 90-####-####",
    ),
    Locale(
        "ng",
        5,
        "Ayo:m;Chiamaka:f;Emeka:m;Ngozi:f;Tunde:m;Funmilayo:f;Chidi:m;Adaeze:f;Oluwaseun:m",
        "Okafor;Adeyemi;Okonkwo;Balogun;Eze;Nwosu;Adebayo",
        "+234 803 ### ####",
    ),
    Locale(
        "za",
        4,
        "Sipho:m;Thandiwe:f;Lerato:f;Themba:m;Nomvula:f;Pieter:m;Anri:f;Kagiso:m",
        "Dlamini;Nkosi;Mokoena;Ndlovu;van der Merwe;Botha;Khumalo",
        "+27 82 ### ####",
    ),
    Locale(
        "nz",
        4,
        "Aroha:f;Tāne:m;Mere:f;Wiremu:m;Hemi:m;Ngaio:f;Māia:f;Liam:m",
        "Ngata;Parata;Te Rangi;Tipene;Walker;Thompson;Horomona",
        "+64 21 ### ####",
    ),
    Locale(
        "in",
        4,
        "Priya:f;Arjun:m;Ananya:f;Rohan:m;Kavya:f;Vikram:m;Meera:f",
        "Sharma;Iyer;Reddy;Gupta;Nair;Menon;Chatterjee",
        "+91 98### #####",
    ),
    Locale(
        "se",
        4,
        "Åsa:f;Björn:m;Linnéa:f;Søren:m;Ingrid:f;Øystein:m;Märta:f;Henrik:m",
        "Lindqvist;Johansson;Ångström;Nilsson;Berg;Sjöberg;Søndergaard",
        "+46 70 ### ## ##",
    ),
]

# Contacts that must exist (locale, first, last) and the kind of customer each is, so the demo shows them off.
PINNED = [
    ("de", "Zoë", "Müller", "advocate"),
    ("ru", "Дмитрий", "Иванов", "regular"),
    ("cn", "伟", "王", "one_time"),
    ("jp", "花子", "佐藤", "engaged_warm"),
    ("fr", "Chloé", "Dubois", "repeat"),
    ("es", "María", "Núñez", "lead"),
    ("pl", "Łukasz", "Kowalski", "repeat_drifting"),
    ("ng", "Ayo", "Okafor", "advocate"),
    ("za", "Sipho", "Dlamini", "one_time_detractor"),
    ("nz", "Aroha", "Ngata", "dormant"),
]

COMPANIES = [
    "The Grand Hotel",
    "Rosewood Events",
    "Café Lumière",
    "Bäckerei Sonnenschein",
    "Harbour View Weddings",
    "Green Leaf Catering",
    "Northside Primary School",
    "Maple & Co Interiors",
    "Blossom Wedding Planners",
    "Hotel Alpenblick",
    "Kōwhai Café",
    "Studio Nørd",
    "Lotus Yoga Studio",
    "Whitfield & Hart LLP",
    "Brightside Dental",
    "St Mary's Church",
    "Sakura Tea House",
    "Old Mill Pub",
    "Riverside Care Home",
    "Papelería Núñez",
    "Okonkwo Architects",
    "Zielony Ogród Deli",
    "Pembroke Estate Agents",
    "The Little Gallery",
]
PERSONAL_DOMAINS = [
    "mail.example",
    "post.example",
    "inbox.example",
    "webmail.example",
    "fastmail.example",
    "hey.example",
    "posteo.example",
    "yandex.example",
    "qq.example",
    "icloud.example",
]

CONTACT_NOTES = [
    "Prefers peonies; no lilies (cat at home)",
    "Gluten-free orders only",
    "Pays by invoice, 30 days",
    "Call before delivery — works nights",
    "Birthday in March",
    "Ask about the sourdough subscription",
    'Likes "seasonal, wild-looking" bouquets',
    "Met at the Christmas market",
    "Delivery to the back entrance",
    "Daughter's wedding next summer",
    "Nut allergy in the family",
    "Prefers WhatsApp to e-mail",
    "Speaks German and English",
    "Standing order for Friday pick-up",
    "Came in via Instagram",
    "Orders for the office reception",
    "Anniversary 14 June",
    "Vegan cakes only",
]

# ---------------------------------------------------------------------------------------------------------------
# The shop's year: newsletters, workshops, NPS surveys and seasonal peaks.

NEWSLETTERS = [
    (date(2025, 11, 25), "Christmas wreaths are back"),
    (date(2025, 12, 9), "Order your Christmas stollen"),
    (date(2026, 1, 6), "New year, new sourdough classes"),
    (date(2026, 1, 20), "January bloom sale"),
    (date(2026, 2, 3), "Valentine's roses: pre-order now"),
    (date(2026, 2, 24), "Mothering Sunday bouquets"),
    (date(2026, 3, 10), "Spring wreath workshop"),
    (date(2026, 3, 24), "Easter baking"),
    (date(2026, 4, 14), "Wedding season lookbook"),
    (date(2026, 4, 28), "Mother's Day (10 May) flowers"),
    (date(2026, 5, 12), "Sourdough basics class"),
    (date(2026, 6, 2), "Peony season"),
    (date(2026, 6, 16), "Summer garden party invitation"),
    (date(2026, 7, 7), "Summer fruit tarts"),
    (date(2026, 7, 28), "Holiday closing dates"),
    (date(2026, 8, 18), "Sunflowers and harvest loaves"),
    (date(2026, 9, 8), "Autumn menu"),
    (date(2026, 9, 22), "Dahlia week"),
    (date(2026, 10, 6), "Autumn open evening"),
    (date(2026, 10, 20), "Halloween treats"),
    (date(2026, 11, 3), "Christmas wreath workshop dates"),
    (date(2026, 11, 17), "Christmas pre-orders open"),
]
NEWSLETTER_LINKS = ["/shop/wreaths", "/shop/bread", "/workshops", "/weddings", "/shop/bouquets", "/order-ahead"]
WORKSHOPS = [
    (datetime(2025, 12, 6, 10, 0), "Christmas wreath workshop"),
    (datetime(2026, 3, 21, 10, 0), "Spring wreath workshop"),
    (datetime(2026, 5, 16, 9, 30), "Sourdough basics class"),
    (datetime(2026, 7, 11, 15, 0), "Summer garden party"),
    (datetime(2026, 10, 17, 18, 0), "Autumn open evening"),
    (datetime(2026, 11, 14, 10, 0), "Christmas wreath workshop"),
]
NPS_SURVEYS = [date(2026, 3, 3), date(2026, 9, 15)]
PAGES = [
    "/",
    "/shop/bouquets",
    "/shop/bread",
    "/shop/cakes",
    "/weddings",
    "/workshops",
    "/about",
    "/contact",
    "/shop/wreaths",
    "/shop/plants",
    "/delivery",
    "/corporate",
]
CONTENT = [
    "Viewed: Wedding flowers lookbook",
    "Read: How to keep tulips fresh",
    "Viewed: Celebration cake menu",
    "Read: Our sourdough starter story",
    "Viewed: Seasonal flower calendar",
    "Watched: Wreath-making video",
    "Viewed: Corporate flowers brochure",
    "Read: Peony care guide",
]
INQUIRIES = [
    "Asked about wedding flowers for June",
    "Asked if you deliver on Sundays",
    "Asked for a gluten-free cake quote",
    "Asked about workshop places",
    "Asked about office flower subscriptions",
    "Asked for a price list for wholesale bread",
    "Asked about funeral flowers",
    "Asked about opening hours",
]
REPLIES = [
    "Replied: thanks, will pop in on Saturday",
    "Replied with questions about delivery",
    "Replied: can we change the colours?",
    "Replied to confirm the date",
    "Replied: loved the newsletter!",
]
CALLS = [
    "Called about delivery time",
    "Called to discuss a birthday cake",
    "Called re: wedding quote",
    "Returned call about an order",
    "Called to ask about allergens",
    "Called to book a workshop place",
]
MEETINGS = [
    "Meeting: wedding flowers consultation",
    "Meeting: tasting for celebration cake",
    "Meeting: office flowers contract",
    "Meeting: venue walk-through",
]
MESSAGES = [
    "WhatsApp: photo of the bouquet they liked",
    "Instagram DM about custom wreaths",
    "WhatsApp: can I collect at 5?",
    "Message: thanks for the lovely flowers",
    "Message: asked for an invoice",
]
DETRACTOR_NOTES = [
    "Delivery was two hours late",
    "Cake arrived damaged",
    "Flowers wilted after two days",
    "Wrong order, had to come back",
    "Too expensive for what it was",
]
REVIEWS = [
    "Left a 5-star review on Google",
    "Left a 5-star review on Facebook",
    "4-star review: lovely peonies",
    "5-star review: best sourdough in town",
]
TESTIMONIALS = [
    'Testimonial: "Our wedding flowers were perfect, thank you!"',
    'Testimonial: "The croissants are worth the queue."',
    'Testimonial: "Reliable, friendly and always beautiful — our lobby has never looked better."',
]

# (item, unit price); purchases combine one to three lines.
RETAIL = [
    ("Sourdough loaf", 4.80),
    ("Rye loaf", 5.20),
    ("Focaccia", 6.50),
    ("Box of pastries", 18.50),
    ("Cinnamon buns (4)", 11.60),
    ("Croissants (6)", 14.40),
    ("Birthday cake", 38.00),
    ("Celebration cake", 65.00),
    ("Seasonal bouquet", 28.00),
    ("Hand-tied bouquet", 35.00),
    ("Peony bunch", 24.00),
    ("Potted orchid", 32.00),
    ("Tulips (10)", 12.50),
    ("Sunflowers (5)", 9.50),
    ("Table centrepiece", 60.00),
    ("Gift card", 25.00),
]
SEASONAL = {
    "christmas": [("Christmas wreath", 45.00), ("Stollen", 12.90), ("Mince pies (6)", 9.60), ("Poinsettia", 16.00)],
    "valentine": [("Dozen red roses", 55.00), ("Heart cookies (6)", 10.80), ("Single rose", 6.50)],
    "mothers": [("Mother's Day bouquet", 42.00), ("Afternoon-tea box", 29.50)],
    "easter": [("Hot cross buns (6)", 8.40), ("Easter simnel cake", 26.00), ("Daffodils (10)", 7.50)],
    "halloween": [("Pumpkin loaf", 7.20), ("Halloween cupcakes (6)", 15.00)],
}
WEDDING = [
    ("Wedding flowers — deposit", 150.00),
    ("Bridal bouquet", 140.00),
    ("Buttonholes (8)", 76.00),
    ("Wedding cake tasting", 25.00),
    ("Wedding cake — balance", 210.00),
]
TRADE = [
    "Weekly lobby flowers",
    "Café bread order (wholesale)",
    "Reception arrangements",
    "Pastry order (trade)",
    "Event table flowers",
    "Meeting-room plants",
]


def season(day: date) -> str | None:
    if date(2025, 11, 28) <= day <= date(2025, 12, 24) or day >= date(2026, 11, 14):
        return "christmas"
    if date(2026, 2, 8) <= day <= date(2026, 2, 14):
        return "valentine"
    if date(2026, 3, 9) <= day <= date(2026, 3, 14) or date(2026, 5, 5) <= day <= date(2026, 5, 9):
        return "mothers"
    if date(2026, 3, 28) <= day <= date(2026, 4, 4):
        return "easter"
    if date(2026, 10, 24) <= day <= date(2026, 10, 31):
        return "halloween"
    return None


def shop_weight(day: date) -> float:
    """How likely a purchase falls on this day: weekends, holidays and seasonal peaks."""
    if day in (date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)):
        return 0.0
    weight = {5: 1.7, 6: 0.4}.get(day.weekday(), 1.0)
    weight *= {"christmas": 3.0, "valentine": 8.0, "mothers": 5.0, "easter": 2.0, "halloween": 1.5}.get(
        season(day) or "", 1.0
    )
    if 5 <= day.month <= 9:
        weight *= 1.3
    return weight


def office_weight(day: date) -> float:
    return 0.08 if day.weekday() >= 5 else 1.0


def web_weight(day: date) -> float:
    return 1.3 if day.weekday() >= 5 else 1.0


# ---------------------------------------------------------------------------------------------------------------
# Helpers


_TRANSLIT = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d", "&": "and"}
)


def ascii_slug(text: str) -> str:
    """'Ó Briain' → 'obriain', 'Łukasz' → 'lukasz', 'Maple & Co' → 'mapleandco'."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


@dataclass
class Name:
    native: str
    ascii: str
    gender: str = ""


def parse_names(spec: str) -> list[tuple[Name, Name | None]]:
    """'Иванов/Иванова=ivanov/ivanova' → (male, female); 'Zoë:f' → (Zoë, None)."""
    out = []
    for entry in spec.split(";"):
        entry, _, gender = entry.partition(":")
        native, _, ascii_part = entry.partition("=")
        natives = native.split("/")
        asciis = ascii_part.split("/") if ascii_part else [ascii_slug(n) for n in natives]
        names = [Name(n, a, gender) for n, a in zip(natives, asciis, strict=True)]
        out.append((names[0], names[1] if len(names) > 1 else None))
    return out


@dataclass
class Contact:
    first: Name
    last: Name
    locale: Locale
    archetype: str
    email: str = ""
    phone: str = ""
    company: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""

    @property
    def full_name(self) -> str:
        if self.locale.key in ("cn", "jp"):
            return (
                f"{self.last.native}{self.first.native}"
                if self.locale.key == "cn"
                else f"{self.last.native} {self.first.native}"
            )
        return f"{self.first.native} {self.last.native}"


def fill_template(rng: random.Random, template: str) -> str:
    return "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in template)


def days_between(lo: date, hi: date) -> list[date]:
    return [lo + timedelta(days=n) for n in range((hi - lo).days + 1)]


def pick_days(rng: random.Random, lo: date, hi: date, count: int, weight=web_weight, distinct=False) -> list[date]:
    """count days in [lo, hi] weighted by weight(day); distinct days if asked (as many as there are)."""
    days = days_between(lo, hi)
    weights = [weight(d) for d in days]
    if not distinct:
        return sorted(rng.choices(days, weights, k=count))
    chosen: list[date] = []
    while len(chosen) < count and any(weights):
        day = rng.choices(days, weights)[0]
        chosen.append(day)
        weights[days.index(day)] = 0.0
    return sorted(chosen)


def at(rng: random.Random, day: date, lo_hour: int, hi_hour: int) -> datetime:
    """A random moment on day between lo_hour:00 and hi_hour:00."""
    seconds = rng.randrange(lo_hour * 3600, hi_hour * 3600)
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def web_time(rng: random.Random, day: date) -> datetime:
    hour_band = rng.choices([(7, 9), (9, 12), (12, 14), (14, 18), (18, 23)], [1, 2, 2, 2, 4])[0]
    return at(rng, day, *hour_band)


def shop_time(rng: random.Random, day: date) -> datetime:
    if rng.random() < 0.25:  # online order
        return web_time(rng, day)
    return at(rng, day, 9, 13) if day.weekday() == 6 else at(rng, day, 8, 18)


# ---------------------------------------------------------------------------------------------------------------
# The people


def make_contacts(rng: random.Random) -> list[Contact]:
    locales = {loc.key: loc for loc in LOCALES}
    pools = {loc.key: (parse_names(loc.first), parse_names(loc.last)) for loc in LOCALES}
    archetypes = [name for name, count in ARCHETYPES.items() for _ in range(count)]
    for *_, kind in PINNED:
        archetypes.remove(kind)
    rng.shuffle(archetypes)

    contacts: list[Contact] = []
    taken: set[tuple[str, str]] = set()

    def add(loc: Locale, first: Name, last: tuple[Name, Name | None], archetype: str) -> None:
        surname = last[1] if (last[1] and first.gender == "f") else last[0]
        taken.add((first.native, surname.native))
        contacts.append(Contact(first, surname, loc, archetype))

    for key, first_native, last_native, archetype in PINNED:
        firsts, lasts = pools[key]
        first = next(f for f, _ in firsts if f.native == first_native)
        last = next(pair for pair in lasts if pair[0].native == last_native)
        add(locales[key], first, last, archetype)

    weights = [loc.weight for loc in LOCALES]
    while archetypes:
        loc = rng.choices(LOCALES, weights)[0]
        firsts, lasts = pools[loc.key]
        first = rng.choice(firsts)[0]
        last = rng.choice(lasts)
        surname = last[1] if (last[1] and first.gender == "f") else last[0]
        if (first.native, surname.native) in taken:
            continue
        add(loc, first, last, archetypes.pop())

    emails: set[str] = set()
    phones: set[str] = set()
    companies = list(COMPANIES)
    rng.shuffle(companies)
    for c in contacts:
        decorate(rng, c, companies)
        c.email = unique_email(rng, c, emails)
        if rng.random() < (0.9 if c.company else 0.68):
            while not c.phone or c.phone in phones:
                c.phone = fill_template(rng, c.locale.phone)
            phones.add(c.phone)
    rng.shuffle(contacts)  # an export is not sorted by kind of customer
    return contacts


def decorate(rng: random.Random, c: Contact, companies: list[str]) -> None:
    """Company, tags and notes, fitting the kind of customer."""
    kind = c.archetype
    p_company = {"regular": 0.35, "advocate": 0.3, "repeat": 0.25, "repeat_drifting": 0.3, "dormant": 0.1}.get(
        kind, 0.12
    )
    tags: list[str] = []
    if rng.random() < p_company:
        c.company = companies[rng.randrange(len(companies))]
        tags.append(rng.choices(["wholesale", "corporate", "wholesale,corporate"], [5, 4, 1])[0])
    if rng.random() < {"engaged": 0.18, "one_time": 0.15, "advocate": 0.25, "lead": 0.08}.get(kind, 0.04):
        tags.append("wedding")
    if (kind in ("regular", "advocate") and rng.random() < 0.8) or (kind == "repeat" and rng.random() < 0.3):
        tags.append("regular")
    if kind in ("regular", "advocate") and rng.random() < 0.25:
        tags.append("vip")
    if rng.random() < {"dormant": 0.3, "lead": 0.85, "lead_warm": 0.8}.get(kind, 0.7):
        tags.append("newsletter")
    flat = [t for tag in tags for t in tag.split(",")]
    c.tags = [t for t in TAG_ORDER if t in flat]
    if rng.random() < 0.25:
        c.notes = rng.choice(CONTACT_NOTES)


def unique_email(rng: random.Random, c: Contact, taken: set[str]) -> str:
    first, last = c.first.ascii, c.last.ascii
    local = rng.choices(
        [
            f"{first}.{last}",
            f"{first}{last}",
            f"{first[0]}.{last}",
            f"{first}_{last}",
            f"{first}.{last[0]}",
            f"{last}.{first}",
            f"{first}{rng.randrange(70, 100)}",
        ],
        [8, 3, 3, 1, 1, 1, 1],
    )[0]
    domain = (ascii_slug(c.company) + ".example") if c.company and rng.random() < 0.8 else rng.choice(PERSONAL_DOMAINS)
    email = f"{local}@{domain}"
    n = 2
    while email in taken:
        email = f"{local}{n}@{domain}"
        n += 1
    taken.add(email)
    return email


# ---------------------------------------------------------------------------------------------------------------
# Their year


@dataclass
class Row:
    when: datetime
    email: str
    kind: str
    amount: float | None = None
    score: int | None = None
    note: str = ""

    def as_csv(self) -> list[str]:
        return [
            self.email,
            self.when.strftime("%Y-%m-%d %H:%M:%S"),
            self.kind,
            "" if self.amount is None else f"{self.amount:.2f}",
            "" if self.score is None else str(self.score),
            self.note,
        ]


class Journey:
    """One contact's interactions between first and last (inclusive), built up piece by piece."""

    def __init__(self, rng: random.Random, contact: Contact, first: date, last: date):
        self.rng, self.c, self.first, self.last = rng, contact, max(first, FIRST_DAY), min(last, LAST_DAY)
        self.rows: list[Row] = []

    def add(
        self, when: datetime, kind: str, note: str = "", amount: float | None = None, score: int | None = None
    ) -> None:
        if self.first <= when.date() <= self.last:
            self.rows.append(Row(when, self.c.email, kind, amount, score, note))

    def newsletters(self, p_open: float, p_click: float) -> None:
        if "newsletter" not in self.c.tags:
            return
        for day, subject in NEWSLETTERS:
            if self.rng.random() >= p_open:
                continue
            sent = datetime.combine(day, time(9, 30))
            opened = sent + timedelta(minutes=min(self.rng.expovariate(1 / 600), 4 * 24 * 60))
            self.add(opened, "email_open", subject)
            if self.rng.random() < p_click:
                clicked = opened + timedelta(seconds=self.rng.randrange(20, 600))
                self.add(clicked, "email_click", f"Clicked {self.rng.choice(NEWSLETTER_LINKS)}")

    def browsing(self, visits: int, views: int, inquiries: int) -> None:
        for day in pick_days(self.rng, self.first, self.last, visits):
            self.add(web_time(self.rng, day), "website_visit", self.rng.choice(PAGES))
        for day in pick_days(self.rng, self.first, self.last, views):
            self.add(web_time(self.rng, day), "content_view", self.rng.choice(CONTENT))
        for day in pick_days(self.rng, self.first, self.last, inquiries):
            self.add(web_time(self.rng, day), "inquiry", self.inquiry_note())

    def inquiry_note(self) -> str:
        if "wedding" in self.c.tags and self.rng.random() < 0.6:
            return "Asked about wedding flowers for June"
        if self.c.company and self.rng.random() < 0.6:
            return self.rng.choice(
                ["Asked about office flower subscriptions", "Asked for a price list for wholesale bread"]
            )
        return self.rng.choice(INQUIRIES)

    def conversations(self, count: int) -> None:
        kinds = ["email_reply", "call", "meeting", "message"]
        weights = [4, 3, 1 + 2 * bool(self.c.company or "wedding" in self.c.tags), 3]
        for kind in self.rng.choices(kinds, weights, k=count):
            if kind in ("call", "meeting"):
                day = pick_days(self.rng, self.first, self.last, 1, office_weight)[0]
                note = self.rng.choice(CALLS if kind == "call" else MEETINGS)
                self.add(at(self.rng, day, 9, 17), kind, note)
            else:
                day = pick_days(self.rng, self.first, self.last, 1)[0]
                note = self.rng.choice(REPLIES if kind == "email_reply" else MESSAGES)
                self.add(at(self.rng, day, 8, 22), kind, note)

    def workshops(self, p: float) -> None:
        for when, title in WORKSHOPS:
            if self.rng.random() < p:
                self.add(when + timedelta(minutes=self.rng.randrange(-10, 15)), "event_attended", title)

    def purchase(self, day: date) -> None:
        self.add(shop_time(self.rng, day), "purchase", *self.basket(day))

    def basket(self, day: date) -> tuple[str, float]:
        rng = self.rng
        if self.c.company and ({"wholesale", "corporate"} & set(self.c.tags)) and rng.random() < 0.7:
            return rng.choice(TRADE), round(rng.uniform(60, 250), 2)
        if "wedding" in self.c.tags and 4 <= day.month <= 9 and rng.random() < 0.5:
            item, price = rng.choice(WEDDING)
            return item, price
        lines = []
        peak = season(day)
        if peak and rng.random() < 0.7:
            lines.append(rng.choice(SEASONAL[peak]))
        while not lines or (rng.random() < 0.35 and len(lines) < 3):
            lines.append(rng.choice(RETAIL))
        total = sum(price for _, price in lines)
        while total > 250:
            total -= lines.pop()[1]
        if total < 5:
            lines.append(("Sourdough loaf", 4.80))
            total += 4.80
        return " + ".join(name for name, _ in lines), round(total, 2)

    def purchases(self, days: list[date]) -> None:
        for day in days:
            self.purchase(day)

    def survey(self, kind: str, day: date, score: int, note: str = "") -> None:
        self.add(web_time(self.rng, day), kind, note, score=score)

    def nps_answers(self, p: float, scores: str) -> None:
        """Answers to the shop's NPS surveys: scores 'promoter' (9-10) or 'passive' (7-8, or 0-6 if old)."""
        for sent in NPS_SURVEYS:
            if self.rng.random() >= p:
                continue
            day = sent + timedelta(days=min(int(self.rng.expovariate(0.4)), 10))
            if scores == "promoter":
                score = self.rng.choices([9, 10], [4, 6])[0]
            elif (AS_OF - day).days > 120 and self.rng.random() < 0.25:
                score = self.rng.randint(3, 6)
            else:
                score = self.rng.choices([7, 8], [2, 3])[0]
            self.survey("nps", day, score)

    def feedback_after(self, p: float) -> None:
        for row in [r for r in self.rows if r.kind == "purchase"]:
            if self.rng.random() < p:
                day = row.when.date() + timedelta(days=self.rng.randint(1, 6))
                old = (AS_OF - day).days > 120
                score = self.rng.randint(4, 6) if old and self.rng.random() < 0.2 else self.rng.randint(7, 10)
                self.survey("feedback", day, score, "Post-order feedback form")

    def ends_with(self, kind: str) -> None:
        """Make sure there is activity on the last day (the contact's 'last seen')."""
        if any(r.when.date() == self.last for r in self.rows):
            return
        if kind == "purchase":
            self.purchase(self.last)
        elif kind == "website_visit":
            self.add(web_time(self.rng, self.last), kind, self.rng.choice(PAGES))
        elif kind == "email_open":
            self.add(web_time(self.rng, self.last), kind, "Re-opened: " + self.rng.choice(NEWSLETTERS)[1])
        else:
            self.add(at(self.rng, self.last, 9, 20), kind, self.rng.choice(MESSAGES))

    def starts_with(self) -> None:
        if not any(r.when.date() == self.first for r in self.rows):
            kind = self.rng.choice(["website_visit", "website_visit", "website_visit", "inquiry"])
            note = self.rng.choice(PAGES) if kind == "website_visit" else self.inquiry_note()
            self.add(web_time(self.rng, self.first), kind, note)


def months(first: date, last: date) -> float:
    return max((last - first).days, 1) / 30.4


def journey(rng: random.Random, c: Contact, contacts: list[Contact]) -> list[Row]:
    kind = c.archetype
    r = rng.randint
    if kind == "dormant":
        return []

    if kind.startswith("lead"):
        last = AS_OF - timedelta(days=r(3, 10) if kind == "lead_warm" else r(15, 330))
        j = Journey(rng, c, last - timedelta(days=r(0, 150)), last)
        span = months(j.first, j.last)
        j.newsletters(rng.uniform(0.25, 0.75), 0.0)
        j.browsing(r(1, 2 + int(span)), r(0, 2), int(rng.random() < 0.3))
        j.starts_with()
        j.ends_with("website_visit" if kind == "lead_warm" or "newsletter" not in c.tags else "email_open")
        return j.rows

    if kind.startswith("engaged"):
        last = AS_OF - timedelta(days=r(3, 10) if kind == "engaged_warm" else r(15, 300))
        if kind == "engaged_detractor":
            last = AS_OF - timedelta(days=r(5, 60))
        j = Journey(rng, c, last - timedelta(days=r(10, 220)), last)
        span = months(j.first, j.last)
        j.newsletters(rng.uniform(0.3, 0.75), rng.uniform(0.05, 0.3))
        j.browsing(r(2, 3 + int(span * 1.5)), r(0, 4), r(0, 2))
        j.conversations(r(1, 5))
        j.workshops(0.08)
        j.nps_answers(0.15, "passive")
        if kind == "engaged_detractor":
            j.survey("nps", j.last, r(0, 6), rng.choice(DETRACTOR_NOTES))
        j.starts_with()
        j.ends_with("message" if kind == "engaged_warm" else "email_reply")
        return j.rows

    # Buyers: first seen, then buying, and for most, still opening newsletters afterwards.
    drifting = kind.endswith("drifting")
    detractor = kind.endswith("detractor")
    if drifting:
        last = AS_OF - timedelta(days=r(100, 300))
    elif detractor:
        last = AS_OF - timedelta(days=r(5, 60))
    else:
        last = AS_OF - timedelta(days=r(3, 60) if kind in ("regular", "advocate") else r(3, 85))
    lead_in = {"regular": r(180, 365), "advocate": r(150, 365)}.get(kind, r(30, 330))
    j = Journey(rng, c, last - timedelta(days=lead_in), last)
    span = months(j.first, j.last)
    engagement = {"regular": 0.7, "advocate": 0.8}.get(kind, 0.45)

    subscriber = kind == "regular" and rng.random() < 0.3  # monthly deliveries count as buying days too
    if kind.startswith("one_time"):
        buy_days = pick_days(rng, j.first + timedelta(days=7), j.last, 1, shop_weight)
    elif kind == "regular":
        buy_days = regular_days(rng, j.first, j.last, r(2, 5) if subscriber else r(5, 15))
    elif kind == "advocate":
        buy_days = regular_days(rng, j.first, j.last, r(3, 12))
    else:
        buy_days = pick_days(rng, j.first, j.last, r(2, 4 if not drifting else 5), shop_weight, distinct=True)
    j.purchases(buy_days)
    if kind == "one_time" and rng.random() < 0.15:
        j.add(shop_time(rng, buy_days[0]), "signup", "Signed up for the loyalty card")
    if subscriber:
        subscription(j, rng)
    if kind in ("repeat", "regular", "advocate") and rng.random() < 0.15:
        j.add(web_time(rng, rng.choice(buy_days)), "signup", "Signed up for a workshop")

    j.newsletters(min(rng.uniform(0.4, 0.9) * engagement * 1.5, 0.95), rng.uniform(0.05, 0.25))
    j.browsing(r(1, 3 + int(span * engagement * 1.5)), r(0, 3), int(rng.random() < 0.5))
    j.conversations(r(0, 2 + int(4 * engagement)))
    j.workshops(0.12 * engagement * 1.5)
    j.feedback_after(0.08)
    if kind == "advocate":
        advocacy(j, rng, c, contacts)
    else:
        j.nps_answers(0.3, "passive")
    if detractor:
        j.survey("nps", j.last, r(0, 6), rng.choice(DETRACTOR_NOTES))
    j.starts_with()
    repeat_buyer = kind in ("regular", "advocate", "repeat_drifting")  # one more buying day keeps the level
    j.ends_with("purchase" if repeat_buyer else "email_open" if "newsletter" in c.tags else "website_visit")
    return j.rows


def regular_days(rng: random.Random, first: date, last: date, count: int) -> list[date]:
    """Purchase days spread over the span; many regulars have a favourite weekday."""
    favourite = rng.choice([4, 5, 5, None])

    def weight(day: date) -> float:
        return shop_weight(day) * (4.0 if day.weekday() == favourite else 1.0)

    return pick_days(rng, first, last, count, weight, distinct=True)


def subscription(j: Journey, rng: random.Random) -> None:
    """A monthly bread or flower subscription: one sign-up, then monthly deliveries."""
    what, fee = rng.choice([("Bread subscription", 22.00), ("Flower subscription", 35.00)])
    start = j.first + timedelta(days=rng.randint(0, 60))
    j.add(at(rng, start, 9, 17), "subscription", f"{what}, monthly", amount=fee)
    day = start
    for _ in range(rng.randint(3, 11)):
        day = day + timedelta(days=rng.choice([28, 30, 31]))
        j.add(at(rng, day, 7, 9), "purchase", f"{what} — monthly delivery", amount=fee)


def advocacy(j: Journey, rng: random.Random, c: Contact, contacts: list[Contact]) -> None:
    """One to three of: referral, review, testimonial, NPS 9-10; the last step of an advocate's journey."""
    ways = rng.sample(["referral", "review", "testimonial", "nps"], k=rng.choices([1, 2, 3], [5, 3, 1])[0])
    for kind in ways:
        day = pick_days(rng, j.first + (j.last - j.first) // 2, j.last, 1)[0]
        if kind == "nps":
            j.nps_answers(1.0, "promoter")
        elif kind == "referral":
            friend = rng.choice([o for o in contacts if o is not c and o.archetype != "dormant"])
            j.add(at(rng, day, 9, 18), "referral", f"Referred {friend.full_name}")
        else:
            j.add(web_time(rng, day), kind, rng.choice(REVIEWS if kind == "review" else TESTIMONIALS))
    if not any(
        r.kind in ("referral", "review", "testimonial") or (r.kind == "nps" and r.score >= 9) for r in j.rows
    ):  # the NPS surveys fell outside this advocate's active span
        j.add(web_time(rng, j.last), "review", rng.choice(REVIEWS))


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    rng = random.Random(SEED)
    contacts = make_contacts(rng)
    rows: list[Row] = []
    for c in contacts:
        rows.extend(journey(rng, c, contacts))

    seen: set[tuple[str, datetime, str]] = set()
    rows.sort(key=lambda r: (r.when, r.email, r.kind))
    for row in rows:
        while (row.email, row.when, row.kind) in seen:
            row.when += timedelta(seconds=1)
        seen.add((row.email, row.when, row.kind))
    rows.sort(key=lambda r: (r.when, r.email, r.kind))
    assert all(FIRST_DAY <= r.when.date() <= LAST_DAY for r in rows)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with open(OUT_DIR / "contacts.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CONTACT_COLUMNS)
        for c in contacts:
            writer.writerow([c.first.native, c.last.native, c.email, c.phone, c.company, ", ".join(c.tags), c.notes])
    with open(OUT_DIR / "interactions.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(INTERACTION_COLUMNS)
        writer.writerows(row.as_csv() for row in rows)

    kinds = Counter(r.kind for r in rows)
    print(f"wrote {len(contacts)} contacts and {len(rows)} interactions to {OUT_DIR}")
    print("  " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))


if __name__ == "__main__":
    main()
