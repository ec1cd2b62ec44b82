"""Loopback load test of the web API: 50 concurrent clients, reads and run submissions.

Starts ``minilateral serve`` on 127.0.0.1 with a fresh SQLite database (or ``--db-url``),
creates a user and a scenario, then drives it with ``--clients`` concurrent httpx clients:
``--reads`` GET requests (scenario list and detail) and ``--runs`` POST /api/runs submissions.
Prints requests/s and p50/p95 latency for each kind, waits until every run has finished, and
exits 1 on any error. Bounded: ``--timeout`` seconds overall.

    python benchmarks/load_api.py --clients 50 --reads 2000 --runs 300
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SCENARIO = {
    "title": "Load test",
    "issues": [{"name": "ceasefire", "lo": 0, "hi": 100}, {"name": "aid", "lo": 0, "hi": 10}],
    "actors": [
        {
            "name": f"Actor {i}",
            "capability": 1 + i,
            "positions": {"ceasefire": 5 * i, "aid": i % 10},
            "salience": {"ceasefire": 0.5, "aid": 0.3},
        }
        for i in range(12)
    ],
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _drive(
    base: str, headers: dict[str, str], clients: int, jobs: list[tuple[str, str, dict | None]]
):
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    timings: dict[str, list[float]] = {"read": [], "run": []}
    errors: list[str] = []
    run_ids: list[int] = []

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            while not queue.empty():
                kind, url, body = queue.get_nowait()
                t0 = time.perf_counter()
                r = await (client.post(url, json=body) if body else client.get(url))
                timings[kind].append(time.perf_counter() - t0)
                if r.status_code >= 400:
                    errors.append(f"{kind} {url}: {r.status_code} {r.text[:200]}")
                elif kind == "run":
                    run_ids.append(r.json()["id"])

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return timings, errors, run_ids, time.perf_counter() - t0


def _report(kind: str, values: list[float], elapsed: float) -> None:
    if not values:
        return
    q = statistics.quantiles(values, n=100)
    print(
        f"{kind:>5}: {len(values):5d} requests, {len(values) / elapsed:8.1f} req/s over the "
        f"mixed phase, p50 {q[49] * 1000:7.1f} ms, p95 {q[94] * 1000:7.1f} ms, "
        f"max {max(values) * 1000:7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--db-url")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="minilateral-load-"))
    url = args.db_url or f"sqlite:///{folder / 'load.db'}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    cli = [sys.executable, "-m", "minilateral"]
    subprocess.run(
        [
            *cli,
            "users",
            "create",
            "load@a.org",
            "--org",
            "A",
            "--role",
            "analyst",
            "--password-stdin",
            "--db-url",
            url,
        ],
        input="load-password\n",
        text=True,
        check=True,
        env=env,
        capture_output=True,
    )
    port = _port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--db-url", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("server did not start:", server.stderr.read() if server.stderr else "")
                return 1
            time.sleep(0.1)
        token = httpx.post(
            f"{base}/api/auth/token", data={"username": "load@a.org", "password": "load-password"}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        sid = httpx.post(
            f"{base}/api/scenarios", json={"name": "load", "scenario": SCENARIO}, headers=headers
        ).json()["id"]
        models = ["mean", "weighted-mean", "compromise", "median", "weighted-median", "nash"]
        jobs: list[tuple[str, str, dict | None]] = []
        for i in range(max(args.reads, args.runs)):
            if i < args.reads:
                jobs.append(("read", "/api/scenarios" if i % 2 else f"/api/scenarios/{sid}", None))
            if i < args.runs:
                jobs.append(
                    ("run", "/api/runs", {"scenario_id": sid, "model": models[i % len(models)]})
                )
        timings, errors, run_ids, elapsed = asyncio.run(
            asyncio.wait_for(_drive(base, headers, args.clients, jobs), args.timeout)
        )
        print(
            f"{args.clients} clients, {len(jobs)} requests in {elapsed:.2f} s "
            f"({len(jobs) / elapsed:.1f} req/s overall)"
        )
        _report("read", timings["read"], elapsed)
        _report("run", timings["run"], elapsed)
        t0 = time.perf_counter()
        pending = set(run_ids)
        statuses: dict[str, int] = {}
        while pending and time.perf_counter() - t0 < args.timeout:
            page = httpx.get(f"{base}/api/runs?limit=200&status=done", headers=headers).json()
            done = httpx.get(f"{base}/api/runs?limit=1&status=done", headers=headers).json()[
                "total"
            ]
            failed = httpx.get(f"{base}/api/runs?limit=1&status=failed", headers=headers).json()[
                "total"
            ]
            statuses = {"done": done, "failed": failed}
            if done + failed >= len(run_ids):
                pending = set()
            else:
                time.sleep(0.2)
            del page
        print(
            f"runs finished {time.perf_counter() - t0:.2f} s after the last submission: {statuses}"
        )
        if statuses.get("failed"):
            errors.append(f"{statuses['failed']} runs failed")
        if pending:
            errors.append(f"{len(pending)} runs unfinished after {args.timeout} s")
        for line in errors[:10]:
            print("ERROR", line)
        print("errors:", len(errors))
        return 1 if errors else 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
