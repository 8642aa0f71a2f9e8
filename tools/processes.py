"""Child processes on loopback: a free port to give a server, and stopping its process group.

The dev server, the benchmarks and the tests all start servers in a session of their own
(``start_new_session=True``), so that one signal reaches the server and every worker it forked.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess


def free_port() -> int:
    """Return a TCP port nobody listens on right now on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process: subprocess.Popen, first: signal.Signals = signal.SIGTERM,
               timeout: float = 10) -> int:
    """Send ``first`` to the process group of ``process``, then SIGKILL if it lingers.

    SIGINT is Ctrl-C (what a person stopping ``make devserver`` sends); SIGTERM is a service
    manager's stop. Return the process's exit status.
    """
    if process.poll() is None:
        try:
            os.killpg(process.pid, first)
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the group is gone already
    return process.wait()
