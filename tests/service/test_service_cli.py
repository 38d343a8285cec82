"""``isa-match serve`` as a command plugin, and the real server on loopback."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from svc_helpers import COMPANY_DE, call_json, free_port, password_of, wait_until_healthy

from isa_match.plugins import add_plugin_commands, plugin_handler
from service.cli import register, run_serve


def test_register_adds_serve_with_its_options() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["serve", "--port", "9001", "--data", "/tmp/x", "--database-url", "sqlite:///y.db"]
    )
    assert (args.host, args.port, args.data, args.database_url, args.workers) == (
        "127.0.0.1",
        9001,
        Path("/tmp/x"),
        "sqlite:///y.db",
        1,
    )
    assert args.run is run_serve


def test_plugin_discovery_finds_serve_through_the_entry_point() -> None:
    parser = argparse.ArgumentParser()
    add_plugin_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve"])
    assert plugin_handler(args) is run_serve
    with pytest.raises(LookupError):
        plugin_handler(argparse.Namespace(command="demo"))


def test_serve_reports_bad_settings_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "ISA_MODE": "production"}
    done = subprocess.run(
        [sys.executable, "-m", "service", "serve", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "ISA_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


def _chunked_post(port: int, path: str, total: int) -> tuple[int, int]:
    """POST ``total`` bytes chunked (no Content-Length); (status, bytes the server took)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"x" * 65536
        try:
            while sent < total:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed early
        reply = sock.recv(65536).decode("latin-1")
    return int(reply.split(" ", 2)[1]), sent


def test_real_server_serves_limits_and_saves_on_shutdown(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ISA_ENCODER": "hashing", "ISA_SAMPLE_LIMIT": "40"}
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--data", str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait_until_healthy(server, base, 60)
        form = urllib.parse.urlencode({"username": COMPANY_DE, "password": password_of(COMPANY_DE)})
        token = call_json(f"{base}/auth/token", form.encode())["access_token"]
        me = call_json(f"{base}/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me["role"] == "company"
        status, sent = _chunked_post(port, "/api/v1/search", 20_000_000)
        assert status == 413
        assert sent < 20_000_000  # refused while streaming, not after reading everything
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["listings"] == 40 and manifest["watermark"] == 1
