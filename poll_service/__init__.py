"""Poll service."""
