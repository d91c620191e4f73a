"""The ``wfh`` command line."""
