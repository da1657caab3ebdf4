"""The PySide6 desktop app: windows, tabs, dialogs and table models over the core.

Importing this package also makes PySide6's check of every module imported after it cheaper (see
`_lighter_feature_check`): at 100,000 contacts the window's resident memory was 50 MB larger without it."""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401  (loads shibokensupport.feature, whose check is replaced below)


def _lighter_feature_check() -> None:
    """PySide6 asks of each module imported after it whether its source mentions "PySide6" (to apply
    `from __feature__ import …` per module), reading the source with `inspect.getsource`, which keeps every line
    of it in `linecache` for the life of the process: numpy, scipy and matplotlib's sources, 25 MB in 260,000
    strings. The same question answered by reading the file's bytes keeps nothing. Private API of PySide6: when
    it is not there (another version), nothing is changed."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return

    def mentions_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return False
        try:
            with open(path, "rb") as source:  # a module's source, never the database: no SQLite lock involved
                return b"PySide6" in source.read()
        except OSError:
            return False

    setattr(feature, "_mod_uses_pyside", mentions_pyside)  # noqa: B010  (a private name mypy does not know)


_lighter_feature_check()
