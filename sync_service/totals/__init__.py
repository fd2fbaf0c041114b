"""The day's figures over HTTP: totals, the live feed and quarantine."""
