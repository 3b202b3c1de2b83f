"""Requests per second for a cached feed over HTTP on 127.0.0.1: full 200
answers and 304 answers to a conditional GET, with 32 concurrent clients.

    .venv/bin/python bench/web.py [--seconds 10] [--workers 2]

The load comes from wrk (Debian's package; this script installs it with
apt-get when it is missing), a separate process from the server, which runs
`syndicate serve` on a fresh SQLite file with the sample articles.
Target on a 2-core machine: at least 1,500 requests per second for 304s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
SYNDICATE = Path(sys.executable).with_name("syndicate")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)
    installed = shutil.which("wrk")
    if not installed:
        raise SystemExit("wrk could not be installed")
    return installed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wrk(binary: str, url: str, seconds: int, headers: dict[str, str]) -> tuple[float, str]:
    args = [binary, "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    detail = f"median latency {p50.group(1) if p50 else '?'}"
    if non2xx:
        detail += f", {non2xx.group(1)} non-2xx/3xx"
    return rate, detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    binary = ensure_wrk()
    folder = Path(tempfile.mkdtemp(prefix="syndicate-http-"))
    port = free_port()
    (folder / "config.toml").write_text(
        f'[site]\nbase_url = "http://127.0.0.1:{port}"\n'
        f'[database]\nurl = "sqlite:///syndicate.db"\n'
        f'[feeds]\ndir = "{REPO / "feeds"}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "SYNDICATE_CONFIG": str(folder / "config.toml")}
    subprocess.run(
        [SYNDICATE, "ingest", str(REPO / "examples")], env=env, check=True, capture_output=True
    )
    server = subprocess.Popen(
        [SYNDICATE, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/feeds/front-page.rss"
    try:
        first = None
        deadline = time.monotonic() + 30
        for _ in range(150):  # bounded in count and in time
            try:
                first = requests.get(url, timeout=2, headers={"Accept-Encoding": "identity"})
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        if first is None:
            raise SystemExit("the server did not start")
        etag = first.headers["etag"]
        print(
            f"http: {url} ({len(first.content)} bytes), {args.workers} web processes, "
            f"32 connections, wrk -t2, {args.seconds} s each"
        )
        rate, detail = wrk(binary, url, args.seconds, {"Accept-Encoding": "identity"})
        print(f"http: 200 full body  {rate:8.0f} requests per second ({detail})")
        rate, detail = wrk(binary, url, args.seconds, {"Accept-Encoding": "gzip"})
        print(f"http: 200 gzip       {rate:8.0f} requests per second ({detail})")
        rate, detail = wrk(
            binary, url, args.seconds, {"Accept-Encoding": "identity", "If-None-Match": etag}
        )
        print(f"http: 304            {rate:8.0f} requests per second ({detail})")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
