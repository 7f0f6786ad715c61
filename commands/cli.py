"""`python -m commands.cli`: `relocate` without the installed console script (what the tests
and the benchmark run as a child process)."""

import sys

from commands.main import main

if __name__ == "__main__":
    sys.exit(main())
