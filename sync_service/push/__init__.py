"""POST /api/v1/sync/push: reading a laptop's batch and appending it to the central log."""
