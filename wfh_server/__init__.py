"""The reference central server: accounts, devices and (next) the sync API of ``SYNC.md``."""

__version__ = "0.1.0"
