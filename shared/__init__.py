"""The event model both sides import: envelope and payload schemas, the day plan,
ids and clocks. Nothing in here imports Flask, Redis or SQLite."""
