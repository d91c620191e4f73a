"""``python -m wfh_desktop`` starts the tray app."""

import sys

from wfh_desktop.ui.app import main

sys.exit(main())
