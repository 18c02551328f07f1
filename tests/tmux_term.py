"""A real terminal for tests: tmux on a private socket, one server per test.

On the shared default socket, a `new-session` issued while the last session of another (or the same)
test is being killed can reach a server that is exiting, and tmux says "server exited unexpectedly".
A socket of the test's own, and a server killed once at the end, leave nothing to race with.
"""

from __future__ import annotations

import subprocess
import uuid


class Tmux:
    def __init__(self, tag: str):
        self.socket = f"pw-{tag}-{uuid.uuid4().hex[:8]}"

    def command(self, *args: str) -> list[str]:
        return ["tmux", "-L", self.socket, *args]

    def _new_session(self, session: str) -> list[str]:
        return self.command("new-session", "-d", "-s", session, "-x", "110", "-y", "30")

    def prefix(self, session: str) -> str:
        """A command prefix that opens a program in a new detached session on this socket."""
        return " ".join(self._new_session(session))

    def start(self, session: str, shell: str, env=None) -> None:
        subprocess.run([*self._new_session(session), shell], check=True, env=env)

    def pane(self, session: str) -> str:
        return subprocess.run(self.command("capture-pane", "-p", "-t", session),
                              capture_output=True, text=True).stdout

    def keys(self, session: str, *keys: str) -> None:
        subprocess.run(self.command("send-keys", "-t", session, *keys), check=True)

    def kill_session(self, session: str) -> None:
        subprocess.run(self.command("kill-session", "-t", session), capture_output=True)

    def close(self) -> None:
        subprocess.run(self.command("kill-server"), capture_output=True)
