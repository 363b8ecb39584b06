"""Writers for supervisor reports: xlsx, CSV, printable HTML and burndown charts.

A leaf package: it knows nothing of the database. Report computations build
``ReportTable`` and ``BurndownSeries`` values and hand them to these writers.
"""
