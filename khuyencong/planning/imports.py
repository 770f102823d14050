"""Placeholder; the plan-line importer lands in a later step."""
