"""The ``caseflow`` command. Entry point: ``caseflow.adapters.cli.main:main``."""
