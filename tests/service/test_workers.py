"""``isa-match serve --workers 2``: the supervisor of :mod:`service._workers` on loopback.

Real processes, no fakes: which worker holds a connection is read from ``/proc``
(the server side of a client's connection is the socket whose remote port is the
client's local port, and the worker is the child process with that socket in its
fd table).

* kept-alive connections are split evenly, every time, and the supervisor keeps
  no copy of them; it accepts only once both workers are ready;
* authenticated answers are right, and the same from either worker;
* a worker killed with SIGKILL is replaced and the new one gets its share;
* SIGTERM and SIGINT end the server gracefully with status 0;
* responses on a kept-alive connection do not wait for the delayed ACK (TCP_NODELAY).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import ADMIN, call_json, free_port, password_of, wait_until_healthy

from service._workers import Supervisor, _Worker

TEXT = "Wolframcarbid-Fräser für Zahnradfertigung mit Beschichtung"
STARTED = "Application startup complete"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


@dataclass
class Served:
    """A ``serve --workers 2`` process and its combined output file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    ready_at_first_answer: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def workers(self) -> list[int]:
        """Pids of the live worker processes (spawned children of the supervisor)."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == self.process.pid and state != "Z" and b"spawn_main" in cmdline:
                found.append(int(entry))
        return sorted(found)


def _start(data: Path, log: Path) -> Served:
    port = free_port()
    env = {**os.environ, "ISA_ENCODER": "hashing", "ISA_SAMPLE_LIMIT": "40"}
    env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "service", "serve", "--workers", "2"]
    command += ["--port", str(port), "--data", str(data)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    served = Served(process, port, log)
    try:
        wait_until_healthy(process, served.base, 180)  # type: ignore[arg-type]
    except BaseException:
        _stop(served)
        raise
    served.ready_at_first_answer = served.output().count(STARTED)
    return served


def _stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(60)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module (the first start seeds its data folder)."""
    folder = tmp_path_factory.mktemp("workers")
    server = _start(folder / "data", folder / "server.log")
    yield server
    _stop(server)


@pytest.fixture(scope="module")
def prepared_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder of its own for the servers that the signal tests stop."""
    return tmp_path_factory.mktemp("signals") / "data"


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    except OSError:
        pass
    return inodes


def _holders(port: int, pids: list[int]) -> dict[int, list[int]]:
    """Client port -> pids holding the server side of that connection to ``port``."""
    by_inode: dict[int, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], int(fields[9])
            if int(local.rsplit(":", 1)[1], 16) == port and inode:
                by_inode[inode] = int(remote.rsplit(":", 1)[1], 16)
    out: dict[int, list[int]] = {}
    for pid in pids:
        for inode in _socket_inodes(pid) & by_inode.keys():
            if by_inode[inode]:  # remote port 0: the listening socket
                out.setdefault(by_inode[inode], []).append(pid)
    return out


def _wait_for(what: str, check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _quiet(served: Served) -> None:
    """Wait until no worker holds a connection, then for their close reports."""
    _wait_for("closed connections", lambda: not _holders(served.port, served.workers()))
    time.sleep(0.3)  # a close is reported at once, at the latest on the next 0.1 s tick


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None) -> Any:
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, body
    return json.loads(body)


def _split(served: Served, count: int = 8) -> Counter[int]:
    """Open ``count`` kept-alive connections at once, one request on each; how many
    each process holds (the supervisor included, which must hold none)."""
    _quiet(served)
    connections = [
        http.client.HTTPConnection("127.0.0.1", served.port, timeout=30) for _ in range(count)
    ]
    try:
        for conn in connections:
            conn.connect()
        for conn in connections:
            assert _get(conn, "/api/v1/health")["status"] == "ok"
        holders = _holders(served.port, [served.process.pid, *served.workers()])
        ports = [conn.sock.getsockname()[1] for conn in connections]
        assert all(len(holders.get(port, [])) == 1 for port in ports), holders
        return Counter(holders[port][0] for port in ports)
    finally:
        for conn in connections:
            conn.close()


def _login(base: str, email: str) -> dict[str, str]:
    form = urllib.parse.urlencode({"username": email, "password": password_of(email)})
    token = call_json(f"{base}/auth/token", form.encode())["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


# -- the choice of worker, without processes ------------------------------------------


def test_the_least_loaded_worker_gets_the_connection_and_ties_go_round_robin() -> None:
    supervisor = Supervisor.__new__(Supervisor)  # only the choice: no selector, no socket
    pairs = [socket.socketpair() for _ in range(3)]
    try:
        workers = [_Worker(None, ours, ready=True) for ours, _ in pairs]  # type: ignore[arg-type]
        supervisor.workers, supervisor._next = workers, 0
        workers[0].open, workers[1].open = 2, 1  # loads 2, 1, 0
        chosen = []
        for _ in range(6):
            index = supervisor._choose(set())
            assert index is not None
            chosen.append(index)
            workers[index].sent += 1
            supervisor._next = index + 1
        assert chosen == [2, 1, 2, 0, 1, 2]  # levels 2, 1, 0 up; then in turn
        assert [w.load for w in workers] == [3, 3, 3]
        workers[1].taken, workers[1].open = 2, 0  # its connections closed: it is next
        assert supervisor._choose(set()) == 1
        assert supervisor._choose({1}) == 0
        pairs[0][0].close()  # a worker whose channel is gone is never chosen
        assert supervisor._choose({1}) == 2
    finally:
        for ours, theirs in pairs:
            ours.close()
            theirs.close()


# -- one server for the module ---------------------------------------------------------


def test_accepting_starts_when_both_workers_are_ready(served: Served) -> None:
    assert served.ready_at_first_answer == 2, served.output()
    assert "with 2 workers" in served.output()
    assert len(served.workers()) == 2


def test_eight_kept_alive_connections_split_four_four_every_time(served: Served) -> None:
    for _ in range(3):
        split = _split(served)
        assert sorted(split) == served.workers(), split  # never the supervisor
        assert sorted(split.values()) == [4, 4], split


def test_answers_are_right_and_the_same_from_both_workers(served: Served) -> None:
    base = served.base
    headers = _login(base, ADMIN)
    query = json.dumps({"text": TEXT, "kind": "request", "k": 5}).encode()
    found = call_json(f"{base}/search", query, headers)["items"]
    assert len(found) == 5
    path = f"/api/v1/listings/{found[0]['id']}/suggestions?k=5"
    _quiet(served)
    first, second = (http.client.HTTPConnection("127.0.0.1", served.port) for _ in range(2))
    try:
        first.connect()
        second.connect()
        answers = [_get(conn, path, headers) for conn in (first, second)]
        holders = _holders(served.port, served.workers())
        pids = {holders[conn.sock.getsockname()[1]][0] for conn in (first, second)}
    finally:
        first.close()
        second.close()
    assert pids == set(served.workers())  # one answer from each worker
    assert answers[0] == answers[1]
    assert answers[0]["listing_id"] == found[0]["id"]
    items = answers[0]["items"]
    assert 0 < len(items) <= 5 and found[0]["id"] not in {item["id"] for item in items}
    with pytest.raises(Exception, match="401"):  # through the supervisor, still checked
        call_json(f"{base}{path.removeprefix('/api/v1')}")


def test_kept_alive_responses_do_not_wait_for_the_delayed_ack(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        _get(conn, "/api/v1/health")
        times = []
        for _ in range(50):
            start = time.perf_counter()
            _get(conn, "/api/v1/health")
            times.append(time.perf_counter() - start)
    finally:
        conn.close()
    # with Nagle on, each answer's second segment waits ~40 ms for the client's ACK
    assert statistics.median(times) < 0.020, sorted(times)


def test_a_killed_worker_is_replaced_and_gets_its_share(served: Served) -> None:
    survivor, victim = served.workers()
    started = served.output().count(STARTED)
    os.kill(victim, signal.SIGKILL)
    _wait_for("the killed worker to be reaped", lambda: not Path(f"/proc/{victim}").exists())
    for _ in range(6):  # the survivor answers meanwhile, on new connections
        assert call_json(f"{served.base}/health")["status"] == "ok"
    _wait_for("the new worker", lambda: served.output().count(STARTED) == started + 1, 120)
    workers = served.workers()
    assert survivor in workers and victim not in workers and len(workers) == 2
    assert f"Child process [{victim}] died (exit code -9)" in served.output()
    split = _split(served)
    assert sorted(split) == workers and sorted(split.values()) == [4, 4], split


# -- servers that the tests stop -------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_the_server_gracefully_with_status_0(
    prepared_data: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    served = _start(prepared_data, tmp_path / "server.log")
    try:
        workers = served.workers()
        assert len(workers) == 2
        idle = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        idle.connect()
        _get(idle, "/api/v1/health")
        assert idle.sock is not None
        started = time.monotonic()
        served.process.send_signal(signum)
        served.process.wait(30)
        took = time.monotonic() - started
        assert idle.sock.recv(1) == b""  # the kept-alive connection was closed
        idle.close()
    finally:
        _stop(served)
    output = served.output()
    assert served.process.returncode == 0, output
    assert took < 15, output
    assert f"Received {signum.name}, exiting." in output
    assert output.count("Application shutdown complete") == 2, output
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert "Traceback" not in output and "died" not in output, output
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", served.port), timeout=5)
