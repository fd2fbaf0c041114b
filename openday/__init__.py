"""The `openday` command: run the parts locally, run the worker, manage devices."""
