"""Security tests: spec text must never become code in a generated SDK (issue 8)."""
