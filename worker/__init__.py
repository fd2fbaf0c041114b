"""RQ jobs that fold the central log into the day's totals."""
