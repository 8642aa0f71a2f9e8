"""The one exception of the deployment: an expected failure, told in French without a traceback."""

from __future__ import annotations


class DeployError(Exception):
    """A deployment or rollback that cannot go on; ``str()`` is the French message to print."""
