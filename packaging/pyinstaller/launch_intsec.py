"""PyInstaller entry script for the `intsec` command line."""

import sys

from intsec_desktop.cli.main import main

sys.exit(main())
