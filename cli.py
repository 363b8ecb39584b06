"""Run the ``caseflow`` command from a checkout: ``python cli.py --help``.

The installed console script points at ``caseflow.adapters.cli.main:run``; this file
is not packaged, so no top-level module named ``cli`` lands in site-packages.
"""

from caseflow.adapters.cli.main import run

if __name__ == "__main__":
    run()
