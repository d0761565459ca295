"""Wrapper that runs one command as its only child and reports the child's peak RSS.

    python -m wargame.bench.rss_child CMD [ARG ...]

Prints one JSON line: returncode, maxrss_bytes (getrusage(RUSAGE_CHILDREN).ru_maxrss,
which on Linux is in KiB and, with a single child, is that child's peak), seconds,
and the tail of its stderr.  A fresh wrapper per measurement keeps one child's peak
from hiding another's (RUSAGE_CHILDREN is a maximum over all waited-for children).
"""

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"returncode": p.returncode, "maxrss_bytes": kib * 1024, "seconds": seconds,
                      "stderr": p.stderr[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
