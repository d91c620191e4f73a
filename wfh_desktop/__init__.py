"""WFH Desktop core: tasks with time targets, timers, the local store and reports. No Qt here."""

__version__ = "0.1.0"
