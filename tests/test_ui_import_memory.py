"""Modules imported after PySide6 are not kept as source lines in memory (tracker.ui._lighter_feature_check),
and PySide6 still tells a module that uses it from one that does not."""

from __future__ import annotations

import linecache
import sys

import tracker.ui  # noqa: F401


def test_a_module_imported_later_leaves_no_source_lines_and_is_still_told_apart(tmp_path, monkeypatch):
    (tmp_path / "plain_helper_mod.py").write_text("VALUE = 1\n" * 2000, encoding="utf-8")
    (tmp_path / "qt_helper_mod.py").write_text("from PySide6.QtCore import QObject\nVALUE = 2\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    feature = sys.modules["shibokensupport.feature"]
    try:
        plain = __import__("plain_helper_mod")  # as an import statement does: PySide6 hooks __import__
        qt = __import__("qt_helper_mod")
        assert plain.__file__ not in linecache.cache and qt.__file__ not in linecache.cache
        assert feature.pyside_feature_dict.get("plain_helper_mod") == -1  # "ignore this module"
        assert feature.pyside_feature_dict.get("qt_helper_mod") == 0  # uses PySide6: features switchable
    finally:
        sys.modules.pop("plain_helper_mod", None)
        sys.modules.pop("qt_helper_mod", None)
