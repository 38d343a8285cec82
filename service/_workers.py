"""Worker processes behind a supervisor that hands out the accepted connections.

``isa-match serve --workers N`` used to run uvicorn's ``Multiprocess``: N workers
accepting from one shared listening socket. asyncio accepts a batch of connections
per wake-up, so a few kept-alive connections split between workers by chance
(8 connections came out 4/4, 1/7 or 8/0), and an idle worker is a wasted core for
this CPU-bound service.

Here the supervisor owns the listening socket, as Node's ``cluster`` does on Linux.
It accepts each connection, sets ``TCP_NODELAY`` on it and passes it with
``SCM_RIGHTS`` over a ``SOCK_SEQPACKET`` socketpair to the worker with the fewest
open connections (ties go round-robin). Each worker runs uvicorn's own
:class:`uvicorn.Server` and HTTP protocol on the sockets it receives
(:class:`ChannelServer`) and reports back ``(connections taken, connections
open)`` when a connection closes and on uvicorn's 0.1 s tick; a worker's load
is its last report plus the connections sent to it since. Least connections
rather than plain round-robin: short connections (health checks) interleaved
with long kept-alive ones, and a restarted worker that starts empty, would
otherwise leave the kept-alive connections unevenly spread.

The supervisor starts accepting when every worker has finished its startup (or
:data:`STARTUP_GRACE` seconds after the first one did), so early kept-alive
connections are not all pinned to the first worker. A worker that dies is
replaced; one that fails its startup (uvicorn's exit code 3) stops the server,
as with uvicorn. SIGINT/SIGTERM: stop accepting, SIGTERM to the workers (uvicorn's
graceful shutdown: in-flight requests finish, lifespan shutdown runs), wait; a
second SIGINT makes them skip the wait (uvicorn's forced exit).
"""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("uvicorn.error")

STARTUP_GRACE = 60.0
"""Seconds after the first worker is ready before serving without the others."""

_REPORT = struct.Struct("!QQ")  # worker -> supervisor: connections taken, connections open
_CONNECTION = b"c"  # supervisor -> worker: one accepted socket in the ancillary data
_ACCEPT_BATCH = 64
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# accept() failures that say the process or system is out of resources: back off
_ACCEPT_PAUSE = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class WorkerStartupError(RuntimeError):
    """A worker process failed before it could serve (uvicorn's exit code 3)."""


# -- worker side ----------------------------------------------------------------------


class ChannelServer(uvicorn.Server):
    """uvicorn's server without a listening socket: it serves the connected sockets
    that arrive on ``channel`` and reports its connection counts back on it."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self._taken = 0
        self._reported: tuple[int, int] | None = None
        self._report_scheduled = False
        self._pending: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's startup (lifespan) with no listener, then read the channel; the
        first report tells the supervisor that this worker is ready."""
        await super().startup(sockets=[])
        self.channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self.channel.fileno(), self._receive)
        self._report()

    async def on_tick(self, counter: int) -> bool:
        """Also report the counts (a fallback for closes not seen by the hook)."""
        self._report()
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Close the channel first (the supervisor then sends nothing more)."""
        self._close_channel()
        await super().shutdown(sockets=sockets)

    def _close_channel(self) -> None:
        if self.channel.fileno() != -1:
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
            self.channel.close()

    def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        while self.channel.fileno() != -1:
            try:
                message, fds, _, _ = socket.recv_fds(self.channel, 16, 4, socket.MSG_CMSG_CLOEXEC)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            if not message and not fds:
                logger.error("The supervisor process is gone; shutting down.")
                self._close_channel()
                self.should_exit = True
                return
            for fd in fds:
                task = loop.create_task(self._serve_socket(socket.socket(fileno=fd)))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)

    async def _serve_socket(self, sock: socket.socket) -> None:
        try:
            await asyncio.get_running_loop().connect_accepted_socket(
                self._new_protocol, sock, ssl=self.config.ssl
            )
        except Exception as exc:  # this connection fails (reset, TLS), not the worker
            logger.warning("Could not serve a connection: %s", exc)
            sock.close()
        finally:
            self._taken += 1
            self._report_soon()

    def _new_protocol(self) -> asyncio.Protocol:
        # as uvicorn's Server.startup makes its protocols, plus a report on close
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )
        lost = protocol.connection_lost

        def connection_lost(exc: Exception | None) -> None:
            lost(exc)
            self._report_soon()

        protocol.connection_lost = connection_lost  # type: ignore[method-assign]
        return protocol

    def _report_soon(self) -> None:
        if not self._report_scheduled:
            self._report_scheduled = True
            asyncio.get_running_loop().call_soon(self._report)

    def _report(self) -> None:
        self._report_scheduled = False
        counts = (self._taken, len(self.server_state.connections))
        if counts == self._reported or self.channel.fileno() == -1:
            return
        try:
            self.channel.send(_REPORT.pack(*counts))
        except OSError:  # full (sent again on the next tick) or supervisor gone
            return
        self._reported = counts


def _stop_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _worker_main(config: uvicorn.Config, channel: socket.socket) -> None:
    """Entry point of a spawned worker: serve until the supervisor says stop.

    uvicorn raises the stop signal again after its graceful shutdown; with this
    SIGTERM handler a worker stopped on request then exits with status 0.
    """
    signal.signal(signal.SIGTERM, _stop_quietly)
    config.configure_logging()
    try:
        ChannelServer(config, channel).run()
    except KeyboardInterrupt:  # SIGINT from the terminal, after the graceful shutdown
        pass


# -- supervisor side ------------------------------------------------------------------


@dataclass
class _Worker:
    process: BaseProcess
    channel: socket.socket
    ready: bool = False
    sent: int = 0
    taken: int = 0
    open: int = 0

    @property
    def usable(self) -> bool:
        return self.ready and self.channel.fileno() != -1

    @property
    def load(self) -> int:
        """Open connections: the last report plus what was sent since."""
        return self.open + self.sent - self.taken


class Supervisor:
    """Runs ``config.workers`` :class:`ChannelServer` processes and hands them the
    connections accepted on ``sock`` (bound, not yet listening)."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket) -> None:
        self.config = config
        self.sock = sock
        self.workers: list[_Worker] = []
        self._context = multiprocessing.get_context("spawn")
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake_write = socket.socketpair()
        self._stopping = False
        self._failure: str | None = None
        self._serving = False  # accepting has begun (all workers were ready once)
        self._grace_until: float | None = None
        self._listening = False
        self._next = 0

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM; raises :class:`WorkerStartupError` if a
        worker fails its startup."""
        logger.info("Started parent process [%d]", os.getpid())
        self.sock.listen(self.config.backlog)
        self.sock.setblocking(False)
        for end in (self._wake_read, self._wake_write):
            end.setblocking(False)
        self._selector.register(self._wake_read, selectors.EVENT_READ, self._on_signal)
        old_wakeup = signal.set_wakeup_fd(self._wake_write.fileno(), warn_on_full_buffer=False)
        old_handlers = {sig: signal.signal(sig, _note_signal) for sig in _STOP_SIGNALS}
        try:
            self.workers = [self._spawn() for _ in range(self.config.workers)]
            while not self._stopping:
                self._poll(self._timeout())
                self._update_listening()
        finally:
            self._stop_workers()
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(old_wakeup)
            self._selector.close()
            self._wake_read.close()
            self._wake_write.close()
        logger.info("Stopping parent process [%d]", os.getpid())
        if self._failure is not None:
            raise WorkerStartupError(self._failure)

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        process = self._context.Process(
            target=_worker_main, args=(self.config, theirs), name="isa-match-worker"
        )
        process.start()
        theirs.close()
        ours.setblocking(False)
        worker = _Worker(process, ours)
        self._selector.register(
            ours, selectors.EVENT_READ, functools.partial(self._on_report, worker)
        )
        self._selector.register(
            process.sentinel, selectors.EVENT_READ, functools.partial(self._on_exit, worker)
        )
        return worker

    def _poll(self, timeout: float | None) -> None:
        for key, _ in self._selector.select(timeout):
            callback: Callable[[], None] = key.data
            callback()

    def _timeout(self) -> float | None:
        if self._grace_until is None:
            return None
        return max(0.0, self._grace_until - time.monotonic())

    def _update_listening(self) -> None:
        ready = sum(worker.usable for worker in self.workers)
        if not self._serving:
            if ready == len(self.workers):
                self._serving = True
            elif ready and self._grace_until is None:
                self._grace_until = time.monotonic() + STARTUP_GRACE
            elif self._grace_until is not None and time.monotonic() >= self._grace_until:
                logger.warning("Serving with %d of %d workers ready", ready, len(self.workers))
                self._serving = True
            if self._serving:
                self._grace_until = None
        self._listen(self._serving and ready > 0)

    def _listen(self, on: bool) -> None:
        if on != self._listening and self.sock.fileno() != -1:
            if on:
                self._selector.register(self.sock, selectors.EVENT_READ, self._accept)
            else:
                self._selector.unregister(self.sock)
            self._listening = on

    def _accept(self) -> None:
        for _ in range(_ACCEPT_BATCH):
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                logger.error("accept() failed: %s", exc)
                if exc.errno in _ACCEPT_PAUSE:
                    time.sleep(0.1)
                return
            with conn:  # the worker has its own copy once sent
                try:
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:  # reset by the client already
                    continue
                self._dispatch(conn)

    def _dispatch(self, conn: socket.socket) -> None:
        """Send ``conn`` to the least loaded worker; on to the next if that fails."""
        skip: set[int] = set()
        while (index := self._choose(skip)) is not None:
            worker = self.workers[index]
            try:
                socket.send_fds(worker.channel, [_CONNECTION], [conn.fileno()])
            except BlockingIOError:  # its queue is full
                skip.add(index)
                continue
            except OSError:  # it has died
                self._lost(worker)
                continue
            worker.sent += 1
            self._next = index + 1
            return
        logger.warning("No worker could take a connection; closing it")

    def _choose(self, skip: set[int]) -> int | None:
        """Index of the usable worker with the fewest open connections; ties go to
        the first one after the last chosen (round-robin)."""
        count = len(self.workers)
        best: int | None = None
        for offset in range(count):
            index = (self._next + offset) % count
            worker = self.workers[index]
            if index in skip or not worker.usable:
                continue
            if best is None or worker.load < self.workers[best].load:
                best = index
        return best

    def _on_report(self, worker: _Worker) -> None:
        while worker.channel.fileno() != -1:
            try:
                data = worker.channel.recv(64)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._lost(worker)
                return
            if len(data) == _REPORT.size:
                worker.taken, worker.open = _REPORT.unpack(data)
                worker.ready = True

    def _lost(self, worker: _Worker) -> None:
        """Stop using ``worker``'s channel (it closed it, or died)."""
        if worker.channel.fileno() != -1:
            self._selector.unregister(worker.channel)
            worker.channel.close()

    def _on_exit(self, worker: _Worker) -> None:
        process = worker.process
        process.join()
        self._selector.unregister(process.sentinel)
        self._lost(worker)
        if self._stopping:
            return
        if process.exitcode == STARTUP_FAILURE and not worker.ready:
            logger.error(
                "Child process [%s] failed to start, stopping the parent process.", process.pid
            )
            self._failure = f"worker process {process.pid} failed to start; see the log above"
            self._stopping = True
            return
        if process.exitcode == 0:  # stopped on its own (a signal to it, max requests)
            logger.info("Child process [%s] exited; starting a new one", process.pid)
        else:
            logger.warning(
                "Child process [%s] died (exit code %s); starting a new one",
                process.pid,
                process.exitcode,
            )
        self.workers[self.workers.index(worker)] = self._spawn()

    def _on_signal(self) -> None:
        try:
            received = self._wake_read.recv(64)
        except BlockingIOError:
            return
        for signum in received:
            name = signal.Signals(signum).name
            if not self._stopping:
                logger.info("Received %s, exiting.", name)
                self._stopping = True
            elif signum == signal.SIGINT:  # as in uvicorn: a second Ctrl+C forces the exit
                logger.warning("Received SIGINT again, forcing the workers to quit.")
                for worker in self.workers:
                    if worker.process.exitcode is None and worker.process.pid is not None:
                        os.kill(worker.process.pid, signal.SIGINT)

    def _stop_workers(self) -> None:
        """Stop accepting, SIGTERM every worker and wait for all of them."""
        self._stopping = True
        self._listen(False)
        self.sock.close()
        for worker in self.workers:
            if worker.process.exitcode is None:
                worker.process.terminate()
        while any(worker.process.exitcode is None for worker in self.workers):
            self._poll(None)
        for worker in self.workers:
            self._lost(worker)


def _note_signal(signum: int, frame: FrameType | None) -> None:
    """Python-level handler: the number reaches the supervisor's loop through
    :func:`signal.set_wakeup_fd`."""


def serve_workers(config: uvicorn.Config, sock: socket.socket) -> None:
    """Serve ``config`` in ``config.workers`` processes on ``sock`` (bound, not yet
    listening) until SIGINT/SIGTERM; see :class:`Supervisor`."""
    Supervisor(config, sock).run()
