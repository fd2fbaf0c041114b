"""What both central services share about the centre: the Redis key schema, settings, the central
log, the projection and its store, the queue, metrics and the summary's store and documents.
No HTTP here (no Flask): the sync service and the worker import this, never each other."""
