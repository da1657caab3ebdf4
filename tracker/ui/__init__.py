"""The PySide6 desktop app: windows, tabs, dialogs and table models over the core."""
