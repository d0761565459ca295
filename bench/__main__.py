"""``python -m wargame.bench``: the benchmark harness (bench.harness.main)."""

import sys

from wargame.bench.harness import main

sys.exit(main())
