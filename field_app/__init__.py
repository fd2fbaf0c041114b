"""The booth laptop's app: records each contact as an append-only event in a local
SQLite log, shows the booth page, and pushes pending events to the sync service."""
