"""Shared plumbing for the web benchmarks: a scratch database built by the migrations, an app
served by uvicorn in its own process (one worker), and a load generator on 127.0.0.1.

Every scenario is printed beside a baseline measured in the same run, because these machines are
noisy and only ratios travel.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deliberate import db as dbmod  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return dbmod.embedded_url(Path(os.environ.get("DELIBERATE_DATA_DIR", ROOT / ".deliberate")))


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def scratch_database(prefix: str) -> tuple[str, str]:
    """Create an empty database and migrate it; returns (url, name)."""
    from alembic import command

    from deliberate.cli import _alembic_config

    server = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dbmod.plain_url(with_database(server, "postgres")))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = with_database(server, name)
    await asyncio.to_thread(command.upgrade, _alembic_config(url), "head")
    return url, name


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(dbmod.plain_url(with_database(server_url(), "postgres")))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@contextmanager
def serve_process(target: str, env: dict[str, str], *, factory: bool = True, workers: int = 1):
    """Run `target` (an import string) under uvicorn with `workers` worker processes; yields
    (base URL, the uvicorn process). With one worker the app runs in that process itself."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    if factory:
        command.append("--factory")
    pythonpath = os.pathsep.join([str(ROOT), str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")])
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": pythonpath}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        ready = 0
        while ready < workers * 3:  # with several workers, ask until they have all started
            try:
                httpx.get(base + "/healthz", timeout=1)
                ready += 1
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"server {target} did not start") from None
                time.sleep(0.1)
        if workers > 1:
            time.sleep(1.0)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serve(target: str, env: dict[str, str], *, factory: bool = True, workers: int = 1):
    """Run `target` under uvicorn (one worker unless asked); yields its base URL."""
    with serve_process(target, env, factory=factory, workers=workers) as (base, _process):
        yield base


def rss_mib(pid: int) -> float:
    """Resident memory of one process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    queries: set[int]
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000 if ordered else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0


async def load(
    name: str,
    url: str,
    *,
    seconds: float = 5.0,
    concurrency: int = 16,
    cookies: dict[str, str] | None = None,
    warmup: float = 1.0,
    conditional: bool = False,
    paths: list[str] | None = None,
) -> Result:
    """GET `url` from `concurrency` clients for `seconds`; counts answers below 400 as done.
    `conditional`: send back the ETag the warm-up got (If-None-Match), as a browser or a cache
    revalidating does. `paths`: cycle through these URLs instead of `url` alone (a mix)."""
    latencies: list[float] = []
    queries: set[int] = set()
    statuses: dict[int, int] = {}
    errors = 0
    urls = paths or [url]
    headers: dict[str, str] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, cookies=cookies, timeout=30) as client:
        stop_warm = time.perf_counter() + warmup
        while time.perf_counter() < stop_warm:
            for each in urls:
                response = await client.get(each)
        if conditional:
            response = await client.get(url)
            headers["if-none-match"] = response.headers["etag"]
        deadline = time.perf_counter() + seconds
        counter = 0

        async def worker() -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                started = time.perf_counter()
                try:
                    response = await client.get(urls[counter % len(urls)], headers=headers)
                except httpx.HTTPError:
                    errors += 1
                    continue
                elapsed = time.perf_counter() - started
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 400:
                    errors += 1
                    continue
                latencies.append(elapsed)
                if "x-query-count" in response.headers:
                    queries.add(int(response.headers["x-query-count"]))

        started = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        elapsed = time.perf_counter() - started
    return Result(name, len(latencies), elapsed, latencies, errors, queries, statuses)


def report(results: list[Result], baseline: Result) -> None:
    print(f"{'scenario':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'x B':>6}")
    for result in [baseline, *results]:
        queries = ",".join(str(q) for q in sorted(result.queries)) or "-"
        ratio = result.rps / baseline.rps
        print(
            f"{result.name:44} {result.rps:8.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
            f"{queries:>8} {ratio:6.2f}" + (f"  errors={result.errors}" if result.errors else "")
        )


def app_env(url: str) -> dict[str, str]:
    """The environment the app and the baseline are served with."""
    return {
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "DELIBERATE_ENV": "development",
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "LOG_LEVEL": "WARNING",
        "SCHEDULER_INTERVAL": "0",
    }


@dataclass
class Target:
    """One address to load, as `load` takes it."""

    name: str
    url: str
    cookies: dict[str, str] | None = None
    conditional: bool = False


TURNS = 3


async def side_by_side(
    targets: list[Target], *, seconds: float, concurrency: int, turns: int = TURNS
) -> list[Result]:
    """Load each target for `seconds` in all, in `turns` slices taken in turn (A B C, A B C...),
    so that a machine which slows down or speeds up during the round (these are shared and
    noisy) weighs on the baseline and the scenarios alike: their ratios are what is reported.
    Each target is warmed up before its first slice."""
    parts: list[list[Result]] = [[] for _ in targets]
    for turn in range(turns):
        for target, done in zip(targets, parts, strict=True):
            done.append(
                await load(
                    target.name,
                    target.url,
                    seconds=seconds / turns,
                    concurrency=concurrency,
                    cookies=target.cookies,
                    conditional=target.conditional,
                    warmup=1.0 if turn == 0 else 0.0,
                )
            )
    return [merged(done) for done in parts]


def merged(parts: list[Result]) -> Result:
    """The slices of one target's load as one result."""
    statuses: dict[int, int] = {}
    for part in parts:
        for status, number in part.statuses.items():
            statuses[status] = statuses.get(status, 0) + number
    return Result(
        parts[0].name,
        sum(p.requests for p in parts),
        sum(p.seconds for p in parts),
        [latency for p in parts for latency in p.latencies],
        sum(p.errors for p in parts),
        set().union(*(p.queries for p in parts)),
        statuses,
    )
