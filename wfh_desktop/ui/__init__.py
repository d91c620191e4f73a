"""The PySide6 tray app and its windows: the only package that imports Qt."""
