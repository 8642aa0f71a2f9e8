"""Placeholder: being written."""


def register() -> None:
    """Connect nothing yet."""
