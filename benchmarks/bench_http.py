"""Benchmark partner suggestions over HTTP: the real server, a 100,000-listing index, ``wrk``.

Prepares (once, cached in ``--workdir``) a service data folder the way a long-running
installation would have it: the SQLite database with the demo accounts and ``--listings``
generated listings (``isa_match.generate.stream_corpus``), and the saved index with the
database's watermark, so the server loads it at start instead of rebuilding. Vectors are
synthetic clustered unit vectors under the hashing encoder's name by default (suggesting
by listing id never encodes; the ranking does not care where vectors come from);
``--vectors use-m3`` encodes the texts instead (about 5 minutes for 100,000 on 2 cores).

Then starts ``python -m service serve`` on loopback and drives
``GET /api/v1/listings/{id}/suggestions?k=10`` as the admin (every listing in scope) over
random listing ids with ``wrk`` (a separate process; ``apt-get install wrk``) at each
``--connections`` for ``--duration`` seconds, after a warm-up. Prints requests/s, p50 and
p99 latency, the server's CPU time per request, non-2xx answers and the load average with
each figure, and the server's memory (resident, per process: with ``--workers N`` the
supervisor and each worker, which holds its own index).

    python benchmarks/bench_http.py                    # 100,000 listings, 1/8/32 connections
    python benchmarks/bench_http.py --listings 20000 --duration 10
    python benchmarks/bench_http.py --workers 2 --connections 8 --duration 10 --repeat 5
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import httpx  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 1)
SYNTHETIC_ENCODER = "hashing:512"
LUA = """
local ids = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  math.randomseed(tonumber(args[3]) + (tid or 0))
end
function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/v1/listings/" .. id .. "/suggestions?k=10")
end
"""


def _log(message: str) -> None:
    print(message, flush=True)


# -- preparing the data folder ------------------------------------------------------


def prepare(
    workdir: Path, n: int, vectors: str, seed: int, exact_max: int | None
) -> tuple[Path, str]:
    """The service data folder with ``n`` generated listings and a saved index; the
    encoder name to serve it with."""
    encoder_name = SYNTHETIC_ENCODER if vectors == "synthetic" else "use-m3"
    tuned = "" if exact_max is None else f"-exact{exact_max}"
    data = workdir / f"service-{n}-{vectors}{tuned}"
    marker = data / "bench_ready.json"
    if marker.exists():
        return data, encoder_name
    if data.exists():
        shutil.rmtree(data)  # a half-prepared folder from an interrupted run
    corpus = workdir / f"corpus-{n}"
    if not (corpus / "listings.jsonl").exists():
        from isa_match.generate import stream_corpus

        started = time.perf_counter()
        stream_corpus(n, corpus, seed=seed)
        _log(f"generated {n:,} listings in {time.perf_counter() - started:.0f} s")
    from isa_match import load_listings
    from service.bootstrap import prepare_database
    from service.db import Database
    from service.settings import Settings

    settings = Settings(data_dir=data, encoder=encoder_name, sample_limit=2)
    database = Database(settings)
    try:
        prepare_database(database, settings)  # schema, demo accounts, the demo pair
        listings = load_listings(corpus / "listings.jsonl", today=TODAY).listings
        # generated ids restart at L0000001 like the sample's: keep them apart
        listings = [dataclasses.replace(x, id=f"G{x.id}") for x in listings]
        started = time.perf_counter()
        _insert(database, listings)
        _log(f"stored {len(listings):,} listings in {time.perf_counter() - started:.0f} s")
        _save_index(database, settings, encoder_name, vectors, seed, exact_max)
    finally:
        database.dispose()
    marker.write_text(json.dumps({"listings": n, "vectors": vectors}), encoding="utf-8")
    return data, encoder_name


def _insert(database: Any, listings: list[Any]) -> None:
    from service.bootstrap import import_listings

    with database.write_session() as db:
        import_listings(db, listings)
        db.commit()


def _save_index(
    database: Any,
    settings: Any,
    encoder_name: str,
    vectors: str,
    seed: int,
    exact_max: int | None,
) -> None:
    """Build the matcher from the database's rows, as the service would (``exact_max``:
    the FAISS index option, saved with it), and save it with the database's watermark."""
    from isa_match import Matcher
    from isa_match.embed import get_encoder
    from isa_match.index.synthetic import clustered_unit_vectors
    from service import index_store
    from service.db import read_state
    from service.listing_data import iter_active

    with database.session() as db:
        state = read_state(db)
        watermark, database_id = state.change_seq, state.database_id
        listings = [dataclasses.replace(x, contact=None) for x in iter_active(db)]
    encoder = get_encoder(encoder_name)
    matrix = None
    if vectors == "synthetic":
        rng = np.random.default_rng(seed)
        matrix = clustered_unit_vectors(len(listings), 512, rng, clusters=len(listings) // 200)
    index_options: dict[str, Any] = {} if exact_max is None else {"exact_max": exact_max}
    started = time.perf_counter()
    matcher = Matcher.build(
        listings,
        settings.ranking_config,
        encoder=encoder,
        vectors=matrix,
        reference_date=settings.reference_date,
        show_progress=vectors != "synthetic",
        **index_options,
    )
    _log(f"built the index of {len(matcher):,} listings in {time.perf_counter() - started:.0f} s")
    index_store.save_index(
        settings.index_path, matcher, watermark=watermark, database_id=database_id
    )


# -- the server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(data: Path, encoder: str, port: int, log: Path, workers: int) -> Any:
    """``python -m service serve`` on ``port``; returns the process once it answers."""
    env = {**os.environ, "ISA_ENCODER": encoder, "ISA_ENCODER_WORKERS": "1"}
    command = [sys.executable, "-m", "service", "serve", "--port", str(port), "--data", str(data)]
    command += ["--log-level", "warning", "--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    started = time.perf_counter()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
            try:
                if client.get("/api/v1/health").json().get("status") == "ok":
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > 900:
                proc.kill()
                raise SystemExit("the server did not start within 15 minutes")
            time.sleep(0.5)
    # with several workers the first answers while the others still load the index
    for _ in range(300):
        before = _cpu_seconds(proc.pid)
        time.sleep(1.0)
        if _cpu_seconds(proc.pid) - before < 0.05:
            break
    _log(f"server up in {time.perf_counter() - started:.1f} s (pid {proc.pid}, port {port})")
    return proc


def _token(base: str) -> tuple[str, dict[str, Any]]:
    from service.bootstrap import DEMO_DOMAIN, DEMO_PASSWORDS

    with httpx.Client(base_url=base, timeout=30) as client:
        r = client.post(
            "/api/v1/auth/token",
            data={"username": f"admin@{DEMO_DOMAIN}", "password": DEMO_PASSWORDS["admin"]},
        )
        r.raise_for_status()
        token = str(r.json()["access_token"])
        status = client.get(
            "/api/v1/system/index", headers={"Authorization": f"Bearer {token}"}
        ).json()
    return token, status


# -- wrk ----------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(found[1]) * _UNITS[found[2]]


def _process_tree(pid: int) -> dict[int, str]:
    """``/proc/<pid>/stat`` text of ``pid`` and all its descendants (uvicorn workers)."""
    stats: dict[int, str] = {}
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        stats[int(entry.name)] = text
        parents[int(entry.name)] = int(text.rpartition(")")[2].split()[1])
    tree, todo = {}, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            tree[current] = stats[current]
        todo += [child for child, parent in parents.items() if parent == current]
    return tree


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and all its descendants (uvicorn workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for text in _process_tree(pid).values():
        fields = text.rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _rss_mb(pid: int) -> list[int]:
    """Resident memory (MB) of ``pid`` and each of its descendants, in pid order."""
    page = os.sysconf("SC_PAGE_SIZE")
    tree = _process_tree(pid)
    return [int(tree[p].rpartition(")")[2].split()[21]) * page // 2**20 for p in sorted(tree)]


def _http_stack() -> str:
    """What uvicorn picks by itself: uvloop and httptools when installed."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


def run_wrk(
    base: str, script: Path, args: list[str], connections: int, seconds: int, server: int
) -> dict[str, Any]:
    """One wrk run; its throughput, latency percentiles, errors and the server's CPU time."""
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script), base, "--", *args]
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds(server)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = _cpu_seconds(server) - cpu_before
    load_after = os.getloadavg()[0]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    total = re.search(r"(\d+) requests in", out)
    requests = int(total[1]) if total else 0
    return {
        "connections": connections,
        "threads": threads,
        "requests": requests,
        "cpu_ms": 1000 * cpu / max(requests, 1),
        "rps": rps,
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "non2xx": int(non2xx[1]) if non2xx else 0,
        "socket_errors": socket_errors[1] if socket_errors else "",
        "load": (load_before, load_after),
    }


def main() -> None:
    """Prepare, serve, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--vectors", choices=("synthetic", "use-m3"), default="synthetic")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up at 8 clients")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds over --connections on the same server (a median row per client "
        "count follows: timings on this machine move by up to 40 %% between runs)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--exact-max",
        type=int,
        default=None,
        help="FAISS option: filtered searches passing at most this many listings run exact "
        "(default: the index's own, as the service builds it)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/isa_bench_http"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    args.workdir.mkdir(parents=True, exist_ok=True)
    _log(f"load average at start: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")
    data, encoder = prepare(args.workdir, args.listings, args.vectors, args.seed, args.exact_max)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data, encoder, port, args.workdir / "server.log", args.workers)
    try:
        token, status = _token(base)
        _log(f"index: {status}")
        if status.get("rebuilds"):
            _log("warning: the server rebuilt the index instead of loading the saved one")
        ids = _listing_ids(data, args.seed)
        ids_file = args.workdir / "ids.txt"
        ids_file.write_text("\n".join(ids) + "\n", encoding="utf-8")
        script = args.workdir / "suggestions.lua"
        script.write_text(LUA, encoding="utf-8")
        wrk_args = [str(ids_file), token, str(args.seed)]
        run_wrk(base, script, wrk_args, 8, args.warmup, proc.pid)
        results = [
            run_wrk(base, script, wrk_args, c, args.duration, proc.pid)
            for _ in range(max(1, args.repeat))
            for c in args.connections
        ]
        memory = _rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    tuned = "" if args.exact_max is None else f", FAISS exact_max {args.exact_max}"
    print(
        f"\n{args.listings:,} generated listings ({args.vectors} vectors{tuned}), "
        f"GET /api/v1/listings/{{id}}/suggestions?k=10 as admin over {len(ids):,} random ids, "
        f"{args.workers} worker(s), uvicorn on {_http_stack()}, wrk {args.duration} s per row; "
        f"server memory {sum(memory):,} MB (RSS per process: {', '.join(map(str, memory))})\n"
    )
    print(
        "| clients | req/s | p50 ms | p99 ms | server CPU ms/request | requests | non-2xx "
        "| load avg before → after |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        errors = f"{r['non2xx']}" + (f" ({r['socket_errors']})" if r["socket_errors"] else "")
        print(
            f"| {r['connections']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['cpu_ms']:.1f} | {r['requests']:,} | {errors} "
            f"| {r['load'][0]:.2f} → {r['load'][1]:.2f} |"
        )
    if args.repeat > 1:
        for c in args.connections:
            rows = [r for r in results if r["connections"] == c]
            med = {key: statistics.median(r[key] for r in rows) for key in ("rps", "p50", "p99")}
            cpu = statistics.median(r["cpu_ms"] for r in rows)
            print(
                f"| **{c}, median of {len(rows)}** | **{med['rps']:.0f}** | {med['p50']:.1f} | "
                f"**{med['p99']:.1f}** | {cpu:.1f} | {sum(r['requests'] for r in rows):,} | "
                f"{sum(r['non2xx'] for r in rows)} | |"
            )


def _listing_ids(data: Path, seed: int, count: int = 20_000) -> list[str]:
    """Random ids of active listings, read from the server's database."""
    import sqlite3

    with sqlite3.connect(f"file:{data / 'isa_match.db'}?mode=ro", uri=True) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM listings WHERE status = 'active'")]
    rng = random.Random(seed)
    return [ids[rng.randrange(len(ids))] for _ in range(count)]


if __name__ == "__main__":
    main()
