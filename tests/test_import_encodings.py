"""Guessing a file's encoding: the code pages contact files come in, samples cut inside a character, runners-up.

The files in tests/fixtures/encodings/ are short contact lists of known encoding (`<language>_<codec>_<rows>.csv`,
written by tests/bench/make_encoding_corpus.py); tests/bench/bench_encodings.py compares the guess with chardet and
charset-normalizer on them and on chardet's own corpus.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.core.importing import reading
from tracker.core.importing.columns import header_recognition
from tracker.core.importing.encodings import guess_legacy, rank_encodings
from tracker.core.importing.reading import encoding_sample, read_table

ENCODINGS = Path(__file__).parent / "fixtures" / "encodings"
GENERATED = sorted(ENCODINGS.glob("*.csv"))


def true_codec(path: Path) -> str:
    return path.stem.split("_", 1)[1].rsplit("_", 1)[0]


def test_the_generated_files_are_all_there():
    assert len(GENERATED) == 81


@pytest.mark.parametrize("path", GENERATED, ids=lambda path: path.stem)
def test_every_generated_contact_file_reads_as_its_own_encoding(path):
    """KOI8-R, ISO-8859-2, ISO-8859-7, EUC-JP and EUC-KR were missing or lost to a Windows or Chinese page."""
    text = path.read_bytes().decode(true_codec(path)).lstrip("\ufeff")
    table = read_table(path)
    header, *rows = [line for line in text.splitlines() if line]
    assert table.header == header.split(table.delimiter)
    assert [table.delimiter.join(row) for row in table.rows] == rows


@pytest.mark.parametrize(
    "name",
    [
        "ru_koi8_r_5.csv",
        "pl_iso8859_2_5.csv",
        "cs_iso8859_2_5.csv",
        "hu_iso8859_2_5.csv",
        "hu_cp1250_5.csv",
        "ja_euc_jp_5.csv",
        "ko_euc_kr_5.csv",  # read as cp949, EUC-KR with more syllables: the same text
        "tr_cp1254_5.csv",
    ],
)
def test_the_code_pages_that_were_read_wrong(name):
    data = (ENCODINGS / name).read_bytes()
    guess = guess_legacy(data, header_recognition)
    assert data.decode(guess) == data.decode(true_codec(ENCODINGS / name)), guess


def test_utf16_without_a_bom_is_not_taken_for_utf8_with_nuls(tmp_path):
    path = tmp_path / "meta_leads.csv"
    path.write_bytes("full_name,email\nAnna Berg,anna@example.com\n".encode("utf-16-le"))
    table = read_table(path)
    assert (table.encoding, table.header, table.rows) == (
        "utf-16-le",
        ["full_name", "email"],
        [["Anna Berg", "anna@example.com"]],
    )


def test_windows_punctuation_is_never_read_as_iso_control_characters():
    data = "Name,Notizen\nPaweł Wójcik,„Stały klient” – dzwonić…\n".encode("cp1250")
    ranked = [name for name, _ in rank_encodings(data, header_bonus=header_recognition)]
    assert ranked[0] == "cp1250"
    assert "iso8859_2" not in ranked  # 0x84, 0x94, 0x96, 0x85 are C1 controls there


def test_quotes_and_dashes_alone_are_western_punctuation_not_letters():
    """In Mac Roman or DOS 850 the same bytes are ì î ñ Ö: letters, where Windows pages have “ ” – …."""
    data = "Name,Notes\nAnna Berg,“VIP” – call back…\n".encode("cp1252")
    assert data.decode(guess_legacy(data, header_recognition)) == data.decode("cp1252")


# A sample cut inside a character -------------------------------------------------------------------------

# Japan Post's KEN_ALL.CSV: Shift_JIS, CRLF, no header, half-width katakana readings beside the kanji.
KEN_ALL_ROWS = [
    '01101,"060  ","0600000","ﾎｯｶｲﾄﾞｳ","ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ","ｲｶﾆｹｲｻｲｶﾞﾅｲﾊﾞｱｲ","北海道","札幌市中央区",'
    '"以下に掲載がない場合",0,0,0,0,0,0',
    '01101,"064  ","0640941","ﾎｯｶｲﾄﾞｳ","ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ","ｱｻﾋｶﾞｵｶ","北海道","札幌市中央区","旭ケ丘",0,0,1,0,0,0',
    '13101,"100  ","1000005","ﾄｳｷｮｳﾄ","ﾁﾖﾀﾞｸ","ﾏﾙﾉｳﾁ","東京都","千代田区","丸の内",0,0,1,0,0,0',
    '27128,"540  ","5400002","ｵｵｻｶﾌ","ｵｵｻｶｼﾁｭｳｵｳｸ","ｵｵｻｶｼﾞｮｳ","大阪府","大阪市中央区","大阪城",0,0,0,0,0,0',
]
KEN_ALL = ("\r\n".join(KEN_ALL_ROWS * 8) + "\r\n").encode("shift_jis")


def _inside_characters(data: bytes, codec: str) -> list[int]:
    """Offsets that fall between the bytes of one character."""
    decoder = codecs.getincrementaldecoder(codec)()
    inside = []
    for at in range(len(data)):
        decoder.decode(data[at : at + 1])
        if _pending(decoder):
            inside.append(at + 1)
    return inside


def _pending(decoder: codecs.IncrementalDecoder) -> bool:
    state = decoder.getstate()
    return bool(state[0]) if isinstance(state[0], bytes) else bool(state[1])


def test_a_shift_jis_sample_cut_inside_a_character_is_still_shift_jis():
    """The first bytes of a big file, cut anywhere: a truncated last character never rules Shift_JIS out."""
    cuts = _inside_characters(KEN_ALL, "cp932")
    assert len(cuts) > 300
    for cut in cuts:
        assert guess_legacy(KEN_ALL[:cut], header_recognition) == "cp932", cut
        assert rank_encodings(KEN_ALL[:cut], complete=False)[0][0] == "cp932", cut


def test_a_japan_post_file_whose_sample_ends_inside_a_character_imports(tmp_path):
    path = tmp_path / "KEN_ALL.CSV"
    path.write_bytes(KEN_ALL)
    cut = _inside_characters(KEN_ALL, "cp932")[300]
    with mock.patch.object(reading, "SAMPLE_BYTES", cut):
        table = read_table(path, limit=1000)
    assert table.encoding == "cp932"
    assert table.header == [cell.strip() for cell in csv_rows(KEN_ALL_ROWS[:1])[0]]
    assert len(table.rows) == len(KEN_ALL_ROWS) * 8 - 1
    assert table.rows[1][6:9] == ["東京都", "千代田区", "丸の内"]


def csv_rows(lines: list[str]) -> list[list[str]]:
    return list(csv.reader(lines))


CONTACTS = "氏名,メール,住所\r\n" + "".join(
    f"佐藤 花子{i},h{i}@example.jp,東京都千代田区丸の内{i}丁目\r\n" for i in range(12)
)
CUT_FILES = {
    "shift_jis": CONTACTS.encode("shift_jis"),
    "euc_jp": CONTACTS.encode("euc_jp"),
    "gb18030": CONTACTS.replace("メール", "邮箱").replace("の", "之").encode("gb18030"),
    "utf-8": CONTACTS.encode("utf-8"),
    "utf-16": CONTACTS.encode("utf-16"),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codec=st.sampled_from(sorted(CUT_FILES)), fraction=st.floats(0.0, 1.0))
def test_any_sample_boundary_reads_the_file_right(tmp_path, codec, fraction):
    """The encoding, delimiter and header are decided from the first SAMPLE_BYTES: wherever that boundary falls
    (inside a two-, three- or four-byte character, or between the two bytes of a UTF-16 unit), the file reads, and
    reads right once the sample holds the header and two rows (the real sample is 1 MiB)."""
    data = CUT_FILES[codec]
    cut = 1 + round(fraction * (len(data) - 2))
    path = tmp_path / f"{codec}.csv"
    path.write_bytes(data)
    with mock.patch.object(reading, "SAMPLE_BYTES", cut):
        table = read_table(path)
    lines = data.decode(codec).splitlines()
    if cut > len("\r\n".join(lines[:3]).encode(codec)):
        assert [table.header, *table.rows] == csv_rows(lines)


def test_a_utf16_file_with_an_odd_number_of_bytes_reads_with_the_last_one_replaced(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(CUT_FILES["utf-16"] + b"\x41")
    table = read_table(path)
    assert table.encoding == "utf-16"
    assert table.header == ["氏名", "メール", "住所"]
    assert table.rows[-2:] == [["佐藤 花子11", "h11@example.jp", "東京都千代田区丸の内11丁目"], ["\ufffd"]]


# A wrong guess still shows alternatives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Name,Email\nMüller,m@example.de\n", "mac_roman"),
        ("Name,Email\nAyşe,a@example.com.tr\n", "cp1254"),
        ("Name,Email\n佐藤,s@example.jp\n", "euc_jp"),
    ],
)
def test_a_one_name_file_guessed_wrong_lists_the_right_code_page_among_the_wizards_choices(tmp_path, text, codec):
    """One short name is ambiguous; the wizard offers the top five of `rank_encodings` beside the guess."""
    path = tmp_path / "one.csv"
    path.write_bytes(text.encode(codec))
    guessed = read_table(path).encoding
    ranked = rank_encodings(encoding_sample(path), header_bonus=header_recognition, complete=False)
    offered = [name for name, _ in ranked[:5]]
    assert offered[0] == guessed
    assert any(path.read_bytes().decode(name) == text for name in offered)
