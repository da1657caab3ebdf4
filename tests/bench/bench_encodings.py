"""Benchmark: Tracker's encoding guess against chardet 7 and charset-normalizer on files of known encoding.

Run by hand (pytest skips tests/bench); needs the `dev` extras (chardet, charset-normalizer). The files:
  * fixtures   the non-ASCII CSV fixtures in tests/fixtures/ and tests/fixtures/import/ (encoding from the name,
               else UTF-8, which they all are),
  * generated  the short contact files in tests/fixtures/encodings/ (`<language>_<codec>_<rows>.csv`, written by
               tests/bench/make_encoding_corpus.py),
  * chardet    chardet's own test corpus, if --chardet-tests names its `tests/` folder (one subfolder per encoding,
               e.g. `git -C chardet archive HEAD tests | tar -x`); only the encodings contact files come in unless
               --all-chardet.
A guess is right when it decodes the file to the same text as the true encoding (a leading BOM aside): cp1252 for a
Latin-1 file without 0x80-0x9F bytes is right, and so is cp932 for Shift_JIS and GB18030 for GB2312, whose few
differing mappings are the same glyph (WAVE DASH 〜/～, MINUS −/－, ―/—, ・/·). Tools:
  * tracker          what an import decides (`reading.guess_encoding` on the file, as `CsvFile` calls it),
  * chardet          `chardet.detect(data)`,
  * chardet-short    `chardet.detect(data, include_encodings=<Tracker's shortlist>)`,
  * charset-norm     `charset_normalizer.from_bytes(data).best()`.
Prints one line per file (✓/✗ and the guess per tool), the totals per group, and milliseconds per file per tool.

    .venv/bin/python tests/bench/bench_encodings.py [--chardet-tests /tmp/chardet/tests] [--all-chardet] [--quiet]
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from pathlib import Path

import chardet
import charset_normalizer

from tracker.core.importing import encodings, reading

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures"

# chardet's test folders -> the codec that decodes them (then supersets, for files using a vendor's extensions).
CHARDET_FOLDERS: dict[str, tuple[str, ...]] = {
    "Big5": ("big5", "cp950", "big5hkscs"),
    "CP932": ("cp932",),
    "CP949": ("cp949",),
    "EUC-JP": ("euc_jp", "euc_jis_2004"),
    "EUC-KR": ("euc_kr", "cp949"),
    "GB2312": ("gb2312", "gbk", "gb18030"),
    "KOI8-R": ("koi8_r",),
    "MacRoman": ("mac_roman",),
    "SHIFT_JIS": ("shift_jis", "cp932"),
    "UTF-16": ("utf-16",),
    "UTF-16BE": ("utf-16-be",),
    "UTF-16LE": ("utf-16-le",),
    "ascii": ("ascii",),
    "utf-8": ("utf-8",),
    "utf-8-sig": ("utf-8-sig",),
    "iso-8859-1": ("latin-1",),
    "iso-8859-2-croatian": ("iso8859_2",),
    "iso-8859-2-czech": ("iso8859_2",),
    "iso-8859-2-hungarian": ("iso8859_2",),
    "iso-8859-2-polish": ("iso8859_2",),
    "iso-8859-2-slovak": ("iso8859_2",),
    "iso-8859-2-slovene": ("iso8859_2",),
    "iso-8859-7-greek": ("iso8859_7",),
    "iso-8859-9-turkish": ("iso8859_9",),
    "windows-1250-croatian": ("cp1250",),
    "windows-1250-czech": ("cp1250",),
    "windows-1250-hungarian": ("cp1250",),
    "windows-1250-polish": ("cp1250",),
    "windows-1250-romanian": ("cp1250",),
    "windows-1250-slovak": ("cp1250",),
    "windows-1250-slovene": ("cp1250",),
    "windows-1251-bulgarian": ("cp1251",),
    "windows-1251-russian": ("cp1251",),
    "windows-1252": ("cp1252",),
    "windows-1254-turkish": ("cp1254",),
}
# Scripts and code pages contact files rarely come in (and Tracker does not offer): only with --all-chardet.
OTHER_FOLDERS: dict[str, tuple[str, ...]] = {
    "EUC-TW": ("euc_tw",),
    "IBM855": ("cp855",),
    "IBM866": ("cp866",),
    "Johab": ("johab",),
    "MacCyrillic": ("mac_cyrillic",),
    "TIS-620": ("tis_620", "cp874"),
    "UTF-32": ("utf-32",),
    "UTF-32BE": ("utf-32-be",),
    "UTF-32LE": ("utf-32-le",),
    "iso-2022-jp": ("iso2022_jp",),
    "iso-2022-kr": ("iso2022_kr",),
    "iso-8859-5-bulgarian": ("iso8859_5",),
    "iso-8859-5-russian": ("iso8859_5",),
    "iso-8859-6-arabic": ("iso8859_6",),
    "windows-1255-hebrew": ("cp1255",),
    "windows-1256-arabic": ("cp1256",),
}
# Fixtures whose name does not say their encoding and that are not UTF-8.
FIXTURE_ENCODINGS = {
    "excel_unicode_text_utf16le.txt": ("utf-16",),
    "utf16_be_bom.csv": ("utf-16",),
    "japanese_shift_jis.csv": ("shift_jis", "cp932"),
    "excel_mac_cr_macroman.csv": ("mac_roman",),
    "excel_utf8_bom_sample.csv": ("utf-8-sig",),
}


def _named_encoding(name: str) -> tuple[str, ...]:
    for codec in ("cp1252", "cp1251", "gb18030", "macroman"):
        if codec in name:
            return ("mac_roman",) if codec == "macroman" else (codec,)
    return FIXTURE_ENCODINGS.get(name, ("utf-8",))


def fixture_files() -> list[tuple[str, Path, tuple[str, ...]]]:
    paths = sorted([*FIXTURES.glob("*.csv"), *(FIXTURES / "import").glob("*.*")])
    return [("fixtures", path, _named_encoding(path.name)) for path in paths if not path.read_bytes().isascii()]


def generated_files() -> list[tuple[str, Path, tuple[str, ...]]]:
    files = []
    for path in sorted((FIXTURES / "encodings").glob("*.csv")):
        codec = path.stem.split("_", 1)[1].rsplit("_", 1)[0]
        files.append(("generated", path, (codec,)))
    return files


def chardet_files(folder: Path, everything: bool) -> list[tuple[str, Path, tuple[str, ...]]]:
    known = {**CHARDET_FOLDERS, **(OTHER_FOLDERS if everything else {})}
    files = []
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and sub.name in known:
            files += [("chardet", path, known[sub.name]) for path in sorted(sub.iterdir()) if path.is_file()]
    return files


# The vendor mappings that differ only in code point (Shift_JIS vs cp932, GB2312 vs GBK): one glyph.
_SAME_GLYPH = str.maketrans({"\u301c": "\uff5e", "\u2212": "\uff0d", "\u2015": "\u2014", "\u30fb": "\u00b7"})


def truth(data: bytes, codecs_: tuple[str, ...]) -> str | None:
    """The file's text in its true encoding (or the first superset that decodes it), None if none does."""
    for codec in codecs_:
        try:
            return data.decode(codec).lstrip("\ufeff").translate(_SAME_GLYPH)
        except UnicodeDecodeError:
            continue
    return None


def same_text(data: bytes, guess: str | None, expected: str) -> bool:
    if not guess:
        return False
    try:
        return data.decode(guess, errors="replace").lstrip("\ufeff").translate(_SAME_GLYPH) == expected
    except LookupError:
        return False


def tracker_guess(data: bytes) -> str:
    """What an import decides for a file of these bytes (`CsvFile._open` without the file)."""
    handle = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
    head = handle.read(reading.SAMPLE_BYTES)
    whole = len(head) < reading.SAMPLE_BYTES or not handle.peek(1)
    return reading.guess_encoding(handle, head, whole).codec


def chardet_guess(data: bytes) -> str | None:
    return chardet.detect(data)["encoding"]


def chardet_short_guess(data: bytes) -> str | None:
    """chardet restricted to the UTFs and Tracker's shortlist (IMPORT-FACTS: what helped most)."""
    pages = [getattr(encodings, "_DETECTOR_NAMES", {}).get(name, name) for name in encodings.CANDIDATES]
    shortlist = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", *pages]
    return chardet.detect(data, include_encodings=shortlist)["encoding"]


def normalizer_guess(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data).best()
    return best.encoding if best else None


TOOLS: dict[str, Callable[[bytes], str | None]] = {
    "tracker": tracker_guess,
    "chardet": chardet_guess,
    "chardet-short": chardet_short_guess,
    "charset-norm": normalizer_guess,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chardet-tests", type=Path, help="chardet's tests/ folder (one subfolder per encoding)")
    parser.add_argument("--all-chardet", action="store_true", help="also scripts contact files rarely come in")
    parser.add_argument("--quiet", action="store_true", help="only the wrong guesses and the totals")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, of: " + ", ".join(TOOLS))
    args = parser.parse_args()
    tools = {name: TOOLS[name] for name in args.tools.split(",")}
    files = fixture_files() + generated_files()
    if args.chardet_tests:
        files += chardet_files(args.chardet_tests, args.all_chardet)
    right: dict[tuple[str, str], int] = {}
    seconds: dict[tuple[str, str], float] = {}
    counted: dict[str, int] = {}
    for group, path, true_codecs in files:
        data = path.read_bytes()
        expected = truth(data, true_codecs)
        if expected is None:
            print(f"  skipped {path.name}: not valid {'/'.join(true_codecs)}")
            continue
        counted[group] = counted.get(group, 0) + 1
        marks = []
        for name, guess_of in tools.items():
            started = time.perf_counter()
            try:
                guess = guess_of(data)
            except Exception as exc:  # a crash is a wrong answer here, and said so
                guess = f"CRASH {type(exc).__name__}"
            seconds[group, name] = seconds.get((group, name), 0.0) + time.perf_counter() - started
            ok = same_text(data, guess, expected) if guess and not guess.startswith("CRASH") else False
            right[group, name] = right.get((group, name), 0) + ok
            marks.append(f"{'✓' if ok else '✗'} {str(guess)[:14]:<14}")
        if not args.quiet or "✗" in "".join(marks):
            label = f"{path.parent.name}/{path.name}"[-44:]
            print(f"{group:<9} {label:<44} {true_codecs[0]:<10} " + " ".join(marks))
    total = sum(counted.values())
    print()
    print(
        f"{'group':<10} {'files':>5}  " + "  ".join(f"{name:>13}" for name in tools) + "   (right / files, ms per file)"
    )
    for group, count in counted.items():
        cells = "  ".join(f"{right.get((group, name), 0):>6} / {count:<4}" for name in tools)
        ms = "  ".join(f"{1000 * seconds[group, name] / count:>13.2f}" for name in tools)
        print(f"{group:<10} {count:>5}  {cells}\n{'':<10} {'ms':>5}  {ms}")
    cells = "  ".join(f"{sum(right.get((g, name), 0) for g in counted):>6} / {total:<4}" for name in tools)
    print(f"{'all':<10} {total:>5}  {cells}")
    ms = "  ".join(f"{1000 * sum(seconds[g, name] for g in counted) / max(total, 1):>13.2f}" for name in tools)
    print(f"{'':<10} {'ms':>5}  {ms}")


if __name__ == "__main__":
    main()
