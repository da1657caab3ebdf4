"""Exports never destroy anything: not the database, its -wal/-shm/-journal, its backups, a device, a pipe, a folder
or another SQLite file; they appear whole or not at all, and are private (0600) unless they replace a file whose
mode is then kept."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from contextlib import contextmanager
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from tracker.cli import main
from tracker.core.backups import backup_folder
from tracker.core.charts import save_figure
from tracker.core.errors import InvalidInput
from tracker.core.export import write_csv
from tracker.core.importing.report import ImportReport
from tracker.core.safe_write import write_whole
from tracker.core.store import Store
from tracker.core.vcard import write_vcards

AS_OF = "2026-11-23"


# Helpers ---------------------------------------------------------------------------------------------


def run(capsys, db_path: Path, *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def assert_refused(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 2, f"exit {code}, stdout {out!r}, stderr {err!r}"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: "), err
    assert "Traceback" not in out + err and "Unexpected error" not in err
    return lines[0]


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def shop_db(capsys, tmp_path) -> Path:
    """A database with two contacts, opened once by the CLI already (so its daily backup exists)."""
    db = tmp_path / "shop.db"
    with Store.open(db) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
        store.contacts.add(first_name="Ben", email="ben@example.com")
    assert run(capsys, db, "contacts")[0] == 0
    assert list(backup_folder(db).glob("tracker-*.db")), "the CLI took no daily backup"
    return db


def other_sqlite_file(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    return path


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file under `folder` with its bytes (or what a symlink points to), to see that nothing changed."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = stat.filemode(path.lstat().st_mode)[0]
    return found


# The CLI refuses targets that would destroy something ---------------------------------------------------


def _targets(db: Path, tmp_path: Path) -> dict[str, Path]:
    backup = sorted(backup_folder(db).glob("tracker-*.db"))[0]
    folder = tmp_path / "a folder"
    folder.mkdir()
    fifo = tmp_path / "a pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(db)
    return {
        "the database": db,
        "its -wal": Path(f"{db}-wal"),
        "its -shm": Path(f"{db}-shm"),
        "its -journal": Path(f"{db}-journal"),
        "a backup": backup,
        "a new file in the backups folder": backup_folder(db) / "new.csv",
        "a folder": folder,
        "a FIFO": fifo,
        "a symlink to the database": link,
        "another SQLite file": other_sqlite_file(tmp_path / "other.sqlite"),
        "a symlink to a backup": _link(tmp_path / "backup-link.csv", backup),
    }


def _link(path: Path, to: Path) -> Path:
    path.symlink_to(to)
    return path


TARGET_NAMES = (
    "the database",
    "its -wal",
    "its -shm",
    "its -journal",
    "a backup",
    "a new file in the backups folder",
    "a folder",
    "a FIFO",
    "a symlink to the database",
    "another SQLite file",
    "a symlink to a backup",
)


@pytest.mark.parametrize("which", TARGET_NAMES)
@pytest.mark.parametrize(
    "command", [("contacts", "--as-of", AS_OF), ("interactions",), ("followups", "--as-of", AS_OF)]
)
def test_cli_export_refuses_and_changes_nothing(capsys, shop_db, tmp_path, which, command):
    target = _targets(shop_db, tmp_path)[which]
    before = snapshot(tmp_path)
    line = assert_refused(run(capsys, shop_db, *command, "--export", target))
    assert str(target.name) in line
    assert snapshot(tmp_path) == before
    assert stat.S_ISFIFO(os.lstat(tmp_path / "a pipe").st_mode)
    with Store.open(shop_db) as store:
        assert store.contacts.count() == 2


def test_cli_rejects_onto_the_database_is_refused_before_importing(capsys, shop_db, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("First Name,Email\nCleo,cleo@example.com\n,not-an-email\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert_refused(run(capsys, shop_db, "import", "contacts", source, "--rejects", shop_db))
    assert snapshot(tmp_path) == before
    with Store.open(shop_db) as store:
        assert store.contacts.count() == 2  # nothing imported either


@pytest.mark.parametrize("suffix", ["-wal", "-journal"])
def test_cli_backup_to_the_databases_journal_is_refused(capsys, shop_db, tmp_path, suffix):
    """A backup named like the database's journal would be read as one the next time the database opens."""
    before = snapshot(tmp_path)
    assert_refused(run(capsys, shop_db, "backup", "--to", f"{shop_db}{suffix}"))
    assert snapshot(tmp_path) == before


def test_cli_export_to_dev_null_leaves_the_device(capsys, shop_db, tmp_path):
    before = snapshot(tmp_path)
    assert_refused(run(capsys, shop_db, "contacts", "--export", "/dev/null"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not Path("/dev/null.part").exists()
    assert snapshot(tmp_path) == before


def test_cli_export_to_a_character_device_leaves_it(capsys, shop_db, tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device needs root")
    assert_refused(run(capsys, shop_db, "followups", "--export", device))
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_cli_export_still_writes_an_ordinary_file(capsys, shop_db, tmp_path):
    target = tmp_path / "out.csv"
    code, out, err = run(capsys, shop_db, "contacts", "--export", target)
    assert code == 0, err
    assert f"Wrote 2 contacts to {target}." in out
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"anna@example.com" in target.read_bytes()


# Every export path in the core goes through the same check -----------------------------------------------


def _writers(store: Store):
    contact = store.contacts.add(first_name="Dora", email="dora@example.com")
    report = ImportReport("contacts", "x.csv", header=["Email"])
    report.reject(2, "no e-mail", ["broken@"])
    figure = Figure()
    figure.add_subplot().plot([1, 2], [3, 4])
    return {
        "csv": lambda path: write_csv(path, ("a",), [{"a": 1}], database=store.path),
        "vcard": lambda path: write_vcards(path, [(contact, "call")], database=store.path),
        "rejects": lambda path: report.write_rejects(path, database=store.path),
        "chart": lambda path: save_figure(figure, path, database=store.path),
    }


@pytest.mark.parametrize("kind", ["csv", "vcard", "rejects", "chart"])
def test_core_writers_refuse_the_database_and_its_backups(store, db_path, tmp_path, kind):
    """Through .png symlinks too, so the chart's file-type check cannot be what refuses them."""
    write = _writers(store)[kind]
    store.safety_backup("test")
    backup = sorted(backup_folder(db_path).glob("tracker-*.db"))[0]
    protected = (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-journal"), backup)
    links = [_link(tmp_path / f"link-{n}.png", target) for n, target in enumerate(protected)]
    for target in (*protected, *links, backup_folder(db_path) / "chart.png"):
        before = snapshot(tmp_path)
        with pytest.raises(InvalidInput) as error:
            write(target)
        assert "Save as" not in str(error.value)
        assert snapshot(tmp_path) == before
    assert store.contacts.count() == 1


@pytest.mark.parametrize("kind", ["csv", "vcard", "rejects", "chart"])
def test_new_exports_are_private_whatever_the_umask(store, tmp_path, kind):
    target = tmp_path / f"out-{kind}.png"
    with umask(0o022):
        _writers(store)[kind](target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("kind", ["csv", "vcard", "rejects", "chart"])
def test_replacing_a_file_keeps_its_mode(store, tmp_path, kind):
    target = tmp_path / f"shared-{kind}.png"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    with umask(0o022):
        _writers(store)[kind](target)
    assert target.read_bytes() != b"old"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_symlinked_export_replaces_the_file_it_points_to(store, tmp_path):
    real = tmp_path / "real.csv"
    real.write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_csv(link, ("a",), [{"a": "new"}], database=store.path)
    assert link.is_symlink()
    assert b"new" in real.read_bytes()


# Whole or not at all ---------------------------------------------------------------------------------------


def test_vcard_export_that_fails_leaves_the_old_file_and_no_temporary(store, tmp_path, monkeypatch):
    contact = store.contacts.add(first_name="Zoë", email="zoe@example.com")
    target = tmp_path / "list.vcf"
    target.write_bytes(b"OLD CARDS")
    listing = sorted(p.name for p in tmp_path.iterdir())

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(InvalidInput) as error:
        write_vcards(target, [(contact, "call")], database=store.path)
    monkeypatch.undo()
    message = str(error.value)
    assert message.startswith(f"Cannot write {target}:") and message.endswith("nothing was changed.")
    assert "No space left on device" in message
    assert target.read_bytes() == b"OLD CARDS"
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_a_writer_failing_midway_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"OLD REPORT")

    def half_then_fail(handle) -> None:
        handle.write(b"half a rep")
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    with pytest.raises(InvalidInput, match="nothing was changed"):
        write_whole(target, half_then_fail, database=None)
    assert target.read_bytes() == b"OLD REPORT"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_a_writer_raising_anything_else_leaves_no_temporary(tmp_path):
    def broken(handle) -> None:
        handle.write(b"x")
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        write_whole(tmp_path / "new.csv", broken, database=None)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_one_sentence(tmp_path):
    with pytest.raises(InvalidInput, match=r"^Cannot write .*nothing was changed\.$"):
        write_whole(tmp_path / "no such folder" / "x.csv", lambda handle: handle.write(b"x"), database=None)


def test_rejects_cannot_overwrite_the_file_being_imported(capsys, db_path, tmp_path):
    from tracker.cli import main

    source = tmp_path / "customers.csv"
    source.write_text("Email,First Name\nnot-an-email,Anna\nbob@example.com,Bob\n", encoding="utf-8")
    before = source.read_bytes()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "import", "contacts", str(source), "--rejects", str(source)])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2 and "the file being imported" in err
    assert source.read_bytes() == before
