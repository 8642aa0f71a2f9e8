"""Command-line helpers for the writers: ``make new-article``, ``make devserver``, timing."""
