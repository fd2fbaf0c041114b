"""The central API: authenticates laptops, validates their batches and appends them
durably and idempotently to the central log in Redis; serves totals."""
