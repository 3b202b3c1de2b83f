"""Waking idle workers: PostgreSQL LISTEN/NOTIFY on one channel.

Whatever makes deliveries claimable (new rows, a retry, a resumed
subscription) calls `notify` inside its transaction; PostgreSQL hands the
notification to every listener when that transaction commits, so a worker
never wakes for rows it cannot see yet. A worker waits on a `Listener`
between polls: the notification ends the wait at once, and the poll
interval stays the fallback (a lost connection, SQLite, retries coming due
by time alone).
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from sqlalchemy import Connection, Engine, text

log = logging.getLogger("syndicate.wake")
CHANNEL = "syndicate_outbox"
RECONNECT_SECONDS = 5.0


def notify(connection: Connection) -> None:
    """Wake the listening workers when this transaction commits."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"NOTIFY {CHANNEL}"))


class Listener:
    """LISTEN on PostgreSQL; on SQLite a plain sleep (there is one worker
    machine, and polling a local file is cheap)."""

    def __init__(self, engine: Engine, stopping: threading.Event) -> None:
        self.stopping = stopping
        self.conninfo: str | None = None
        if engine.dialect.name == "postgresql":
            url = engine.url.set(drivername="postgresql")
            self.conninfo = url.render_as_string(hide_password=False)
        self.connection: psycopg.Connection[tuple[object, ...]] | None = None
        self.retry_at = 0.0

    @property
    def listening(self) -> bool:
        return self.connection is not None

    def wait(self, timeout: float) -> bool:
        """Block until a notification arrives, the worker is stopped, or
        `timeout` seconds pass; True when woken by a notification."""
        connection = self._connected()
        if connection is None:
            self.stopping.wait(timeout)
            return False
        try:
            # a generator holds the connection's lock until it is closed: one at a time
            woken = any(True for _ in connection.notifies(timeout=timeout, stop_after=1))
            if woken:  # swallow what queued up behind it: one wake-up is enough
                for _ in connection.notifies(timeout=0.001, stop_after=1000):
                    pass
        except psycopg.Error as error:
            log.warning("lost the LISTEN connection (%s); polling until it is back", error)
            self._drop()
            return False
        return woken

    def _connected(self) -> psycopg.Connection[tuple[object, ...]] | None:
        if self.connection is not None or self.conninfo is None:
            return self.connection
        if time.monotonic() < self.retry_at:
            return None
        try:
            self.connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
            self.connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            log.warning("cannot LISTEN for new deliveries (%s); polling", error)
            self._drop()
        return self.connection

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except psycopg.Error:
                pass
        self.connection = None
        self.retry_at = time.monotonic() + RECONNECT_SECONDS

    def close(self) -> None:
        self._drop()
