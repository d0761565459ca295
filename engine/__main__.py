"""``python -m wargame``: the command line."""

import sys

from wargame.cli.main import main

sys.exit(main())
