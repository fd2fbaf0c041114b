"""Benchmarks. Like `openday dev`, a bench is one machine with no secrets to manage: the
sync services it starts sign sessions with one key made for the run (production reads
OPENDAY_SECRET_KEY or OPENDAY_SECRET_KEY_FILE, docs/production.md)."""

import os
import secrets

os.environ.setdefault("OPENDAY_SECRET_KEY", "bench-" + secrets.token_hex(16))
