"""Generate the short contact files of known encoding that the encoding benchmark and tests read.

Each file is a header and 5 to 30 rows of names, companies and cities written by people of one language, saved in one
code page; its name says which: `<language>_<encoding>_<rows>.csv` (e.g. `pl_iso8859_2_12.csv`). The same run
always writes the same bytes (a fixed seed per file), so the committed files in `tests/fixtures/encodings/` can be
regenerated and compared:

    .venv/bin/python tests/bench/make_encoding_corpus.py [--out tests/fixtures/encodings]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "encodings"

# language -> (header cells, first names, last names, companies, cities, e-mail domain, delimiter)
PEOPLE: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "de": (
        "Vorname;Nachname;E-Mail-Adresse;Firma;Ort;Telefon",
        "Jürgen Sören Björn Käthe Jörg Renée Günther Hildegard Lukas Zoë",
        "Müller Schäfer Weiß Größmann Köhler Bäcker Krüger Fröhlich Hoffmann Jäger Strauß",
        "Bäckerei Köhler|Müller & Söhne GmbH|Blumenhaus Grün|Schäfer Fahrräder|Café Süß|Autohaus Böhm",
        "München Köln Düsseldorf Nürnberg Lübeck Würzburg Göttingen Saarbrücken Zürich",
        "gmx.de",
        ";",
    ),
    "fr": (
        "Prénom;Nom;Adresse e-mail;Société;Ville;Téléphone",
        "Élodie François Hélène Jérôme Zoë Cécile Gaëlle Noël Thérèse Benoît Agnès",
        "Lefèvre Dubois Bérénger Moreau Garçon Léger Mérieux Châtelet Rivière Besançon",
        "Boulangerie Lefèvre|Fleurs de Sèvres|Pâtisserie Élise|Café du Théâtre|Garage Rivière",
        "Orléans Besançon Nîmes Saint-Étienne Angoulême Sète Pézenas Montréal",
        "orange.fr",
        ";",
    ),
    "es": (
        "Nombre,Apellidos,Correo electrónico,Empresa,Ciudad,Teléfono",
        "José María Ángel Begoña Íñigo Nuria Tomás Lucía Andrés Inés",
        "Núñez Muñoz Pérez Gómez Ibáñez Martínez Sánchez Ortíz Peña",
        "Panadería Núñez|Floristería Begoña|Talleres Muñoz S.L.|Café Córdoba",
        "Málaga Córdoba León Cádiz Logroño Alcalá Gijón",
        "telefonica.es",
        ",",
    ),
    "pl": (
        "Imię;Nazwisko;E-mail;Firma;Miasto;Telefon",
        "Łukasz Małgorzata Paweł Zofia Wojciech Grażyna Józef Agnieszka Jędrzej Bożena",
        "Wiśniewski Wójcik Kowalczyk Kamińska Lewandowski Zieliński Szymańska Woźniak Dąbrowski Żak",
        "Piekarnia Łódź|Kwiaciarnia Róża|Zakład Ślusarski Wójcik|Sklep Żabka|Cukiernia Słodka",
        "Łódź Kraków Gdańsk Poznań Wrocław Szczecin Białystok Częstochowa Żory",
        "wp.pl",
        ";",
    ),
    "cs": (
        "Jméno;Příjmení;E-mail;Firma;Město;Telefon",
        "Jiří Kateřina Tomáš Zdeňka Lukáš Věra Petr Barbora Ondřej Šárka",
        "Dvořák Černý Procházková Kučera Veselý Horák Němec Pokorná Růžička Šťastný",
        "Pekařství Dvořák|Květinářství Růže|Autoservis Černý s.r.o.|Kavárna Slávia",
        "Plzeň Brno Ostrava Olomouc Liberec České Budějovice Hradec Králové Ústí nad Labem",
        "seznam.cz",
        ";",
    ),
    "hu": (
        "Vezetéknév;Keresztnév;E-mail;Cég;Város;Telefon",
        "Ödön Gábor Zsófia Erzsébet Lőrinc Tünde Béla Ágnes Dénes Írisz",
        "Kovács Szabó Tóth Nagy Horváth Kiss Molnár Németh Farkas Papp Rácz Lengyel Kőszegi Győri",
        "Cukrászda Győr|Virágbolt Rózsa|Szőke és Társa Kft.|Kávéház Erzsébet",
        "Győr Pécs Debrecen Székesfehérvár Kecskemét Nyíregyháza Szeged Sopron",
        "freemail.hu",
        ";",
    ),
    "ru": (
        "Имя;Фамилия;Эл. почта;Компания;Город;Телефон",
        "Дмитрий Анна Сергей Ольга Наталья Алексей Екатерина Юрий Татьяна Михаил",
        "Иванов Смирнова Кузнецов Попова Соколов Лебедева Козлов Новикова Морозов Волкова",
        "ООО Ромашка|Пекарня Хлеб|Цветы на Арбате|Автосервис Колесо|Кафе Уют",
        "Москва Новосибирск Екатеринбург Казань Самара Ростов Воронеж Пермь",
        "yandex.ru",
        ";",
    ),
    "bg": (
        "Име,Фамилия,Имейл,Фирма,Град,Телефон",
        "Георги Мария Иван Елена Стоян Йорданка Петър Цветелина Димитър",
        "Петров Иванова Георгиев Димитрова Стоянов Николова Христов Тодорова",
        "Пекарна Слънце|Цветарски магазин Роза|Автосервиз Бързо|Кафе Витоша",
        "София Пловдив Варна Бургас Русе Стара Загора Плевен",
        "abv.bg",
        ",",
    ),
    "uk": (
        "Ім'я;Прізвище;Ел. пошта;Компанія;Місто;Телефон",
        "Олексій Ірина Андрій Юлія Євген Оксана Тарас Ганна Богдан Їржина",
        "Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Іваненко Поліщук",
        "Пекарня Їжачок|Квіти Галичини|ТОВ Ґрунт|Кав'ярня Львівська",
        "Київ Львів Харків Одеса Дніпро Житомир Чернігів Івано-Франківськ",
        "ukr.net",
        ";",
    ),
    "el": (
        "Όνομα;Επώνυμο;Email;Εταιρεία;Πόλη;Τηλέφωνο",
        "Γιώργος Μαρία Δημήτρης Ελένη Νίκος Αικατερίνη Κώστας Σοφία Παναγιώτης",
        "Παπαδόπουλος Παπαδοπούλου Γεωργίου Οικονόμου Δημητρίου Νικολάου Βασιλείου Αθανασίου",
        "Αρτοποιείο Ήλιος|Ανθοπωλείο Ρόδο|Συνεργείο Ταχύ|Καφενείο Πλάκα",
        "Αθήνα Θεσσαλονίκη Πάτρα Ηράκλειο Λάρισα Βόλος Ιωάννινα Χανιά",
        "otenet.gr",
        ";",
    ),
    "tr": (
        "Ad;Soyad;E-posta;Şirket;Şehir;Telefon",
        "Ayşe Mehmet Çağla Gökhan Şükrü Özlem İbrahim Ümit Gül Doğan",
        "Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Özdemir Arslan Doğan Kılıç",
        "Fırın Şükran|Çiçekçi Gül|Öztürk Oto Servis|Kahveci Ağa|Yıldız Ticaret A.Ş.",
        "İstanbul İzmir Eskişehir Muğla Şanlıurfa Çanakkale Diyarbakır Kırşehir",
        "hotmail.com.tr",
        ";",
    ),
    "lt": (
        "Vardas;Pavardė;El. paštas;Įmonė;Miestas;Telefonas",
        "Jonas Rūta Tomas Eglė Žydrūnas Aušra Mindaugas Gintarė Šarūnas Dalia",
        "Kazlauskas Jankauskienė Petrauskas Stankevičius Vasiliauskaitė Žukauskas Butkus Paulauskienė",
        "Kepykla Ąžuolas|Gėlių namai|UAB Šviesa|Kavinė Žalgiris",
        "Vilnius Kaunas Klaipėda Šiauliai Panevėžys Alytus Marijampolė Utena",
        "gmail.com",
        ";",
    ),
    "lv": (
        "Vārds;Uzvārds;E-pasts;Uzņēmums;Pilsēta;Tālrunis",
        "Jānis Līga Andris Ilze Kārlis Inese Mārtiņš Dace Edgars Zane",
        "Bērziņš Kalniņa Ozoliņš Jansone Liepiņš Krūmiņa Zariņš Pētersone",
        "Maiznīca Rūķis|Ziedu salons|SIA Gaišums|Kafejnīca Māra",
        "Rīga Daugavpils Liepāja Jelgava Jūrmala Ventspils Rēzekne Cēsis",
        "inbox.lv",
        ";",
    ),
    "ja": (
        "姓,名,メールアドレス,会社名,市区町村,電話番号",
        "花子 太郎 健一 美咲 翔太 由美 大輔 さくら 直樹 陽子",
        "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤",
        "佐藤商店|株式会社山田製作所|花屋さくら|ベーカリー小林|田中自動車整備|喫茶ひまわり",
        "札幌市 仙台市 千代田区 横浜市 名古屋市 京都市 大阪市 神戸市 福岡市",
        "example.jp",
        ",",
    ),
    "zh": (
        "姓名,电子邮件,公司,城市,电话",
        "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇",
        "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙",
        "北京花店|上海面包坊有限公司|广州汽车维修|深圳咖啡馆|成都茶叶店",
        "北京 上海 广州 深圳 成都 杭州 武汉 西安 南京",
        "163.com",
        ",",
    ),
    "tw": (
        "姓名,電子郵件,公司,城市,電話",
        "志明 淑芬 家豪 美玲 俊傑 雅婷 建宏 怡君 宗翰",
        "陳 林 黃 張 李 王 吳 劉 蔡 楊",
        "臺北花店|高雄麵包坊股份有限公司|臺中汽車維修|新竹咖啡館",
        "臺北市 新北市 臺中市 高雄市 臺南市 桃園市 新竹市 基隆市",
        "hinet.net",
        ",",
    ),
    "ko": (
        "이름,성,이메일,회사,도시,전화번호",
        "민준 서연 지훈 하은 도윤 수빈 현우 지민 예준 서윤",
        "김 이 박 최 정 강 조 윤 장 임",
        "행복베이커리|꽃집 장미|주식회사 한빛|서울자동차정비|카페 온기",
        "서울특별시 부산광역시 대구광역시 인천광역시 광주광역시 대전광역시 수원시",
        "naver.com",
        ",",
    ),
    "mix": (
        "First Name,Last Name,E-mail Address,Company,City",
        "Zoë Łukasz Дмитрий Γιώργος 花子 Jürgen Ayşe 민준 Élodie",
        "Müller Wiśniewski Иванов Παπαδόπουλος 佐藤 Yılmaz 김 Lefèvre",
        "Café Süß|Piekarnia Łódź|ООО Ромашка|佐藤商店|Fırın Şükran",
        "München Łódź Москва Αθήνα 大阪市 İstanbul 서울특별시",
        "example.com",
        ",",
    ),
}

# (language, Python codec) for every file; two sizes each (5 and 12 rows), one long file (30) for a few.
FILES: list[tuple[str, str]] = [
    ("de", "cp1252"),
    ("fr", "cp1252"),
    ("es", "cp1252"),
    ("pl", "cp1250"),
    ("cs", "cp1250"),
    ("hu", "cp1250"),
    ("ru", "cp1251"),
    ("bg", "cp1251"),
    ("uk", "cp1251"),
    ("ru", "koi8_r"),
    ("pl", "iso8859_2"),
    ("cs", "iso8859_2"),
    ("hu", "iso8859_2"),
    ("el", "cp1253"),
    ("el", "iso8859_7"),
    ("tr", "cp1254"),
    ("lt", "cp1257"),
    ("lv", "cp1257"),
    ("de", "mac_roman"),
    ("fr", "mac_roman"),
    ("de", "cp850"),
    ("fr", "cp850"),
    ("ja", "shift_jis"),
    ("ja", "cp932"),
    ("ja", "euc_jp"),
    ("zh", "gb18030"),
    ("zh", "gbk"),
    ("tw", "big5"),
    ("ko", "euc_kr"),
    ("ko", "cp949"),
    ("mix", "utf-8"),
    ("mix", "utf-8-sig"),
    ("mix", "utf-16"),
]
SIZES = (5, 12)
LONG = {"cp1252", "cp1250", "koi8_r", "iso8859_2", "euc_jp", "euc_kr", "shift_jis", "gb18030", "big5"}


def _local_part(rng: random.Random) -> str:
    return rng.choice(["info", "kontakt", "office", "mail", "hello", "shop"]) + str(rng.randint(1, 999))


def contact_file(language: str, encoding: str, rows: int) -> bytes:
    """The bytes of one generated file: the same arguments give the same bytes."""
    header, firsts, lasts, companies, cities, domain, delimiter = PEOPLE[language]
    rng = random.Random(f"{language}/{encoding}/{rows}")
    first_names, last_names = firsts.split(), lasts.split()
    company_names, city_names = companies.split("|"), cities.split()
    lines = [header.replace(";", delimiter).replace(",", delimiter)]
    for _ in range(rows):
        phone = f"+{rng.randint(30, 90)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        cells = [
            rng.choice(first_names),
            rng.choice(last_names),
            f"{_local_part(rng)}@{domain}",
            rng.choice(company_names) if rng.random() < 0.6 else "",
            rng.choice(city_names),
            phone,
        ]
        if language in ("zh", "tw"):  # one name column: family name then given name, no space
            cells = [cells[1] + cells[0], *cells[2:]]
        lines.append(delimiter.join(cells[: lines[0].count(delimiter) + 1]))
    text = "\r\n".join(lines) + "\r\n"
    return text.encode(encoding)


def corpus() -> dict[str, bytes]:
    """File name -> bytes for every generated file."""
    files = {}
    for language, encoding in FILES:
        for rows in (*SIZES, *((30,) if encoding in LONG else ())):
            files[f"{language}_{encoding}_{rows}.csv"] = contact_file(language, encoding, rows)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = corpus()
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    print(f"{len(files)} files, {sum(map(len, files.values())):,} bytes in {args.out}")


if __name__ == "__main__":
    main()
