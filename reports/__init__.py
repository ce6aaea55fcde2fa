"""Turning recorded check results into ``results.json`` and a self-contained ``report.html``."""
