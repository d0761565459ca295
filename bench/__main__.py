"""``python -m bench``: the benchmark harness (bench.harness.main)."""

import sys

from bench.harness import main

sys.exit(main())
