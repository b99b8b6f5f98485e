"""PyInstaller entry script for the `intsec-desktop` app."""

import sys

from intsec_desktop.gui.app import main

sys.exit(main())
