#!/usr/bin/env python3
"""Cluster-mode measurements (docs/performance.md, "Cluster mode"): Redis and the replicas run here as
separate processes on 127.0.0.1, with the built-in demo provider (no network, no keys).

  1. Cross-replica view latency: a request started on replica A until its request-start event arrives on
     replica B's delta stream (both clocks are this script's monotonic clock).
  2. Redis memory per 1,000 active requests: used_memory with 1,000 streams held open on A, minus idle.
  3. Gateway CPU per request with REDIS_URL / without, at a fixed request rate (process CPU time from /proc).

  python3 bench/cluster/measure.py [--requests 300] [--active 1000] [--rate 500] [--seconds 20]
Needs redis-server and a Release build (dotnet build src/Inflight -c Release). Every loop is bounded.
"""
import argparse, asyncio, json, os, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DLL = os.path.join(ROOT, "artifacts", "bin", "Inflight", "release", "Inflight.dll")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(directory):
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
                            stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if "Ready to accept connections" in line:
            return proc, port
    raise RuntimeError("redis-server did not start")


def redis_cmd(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, check=True).stdout


def start_replica(replica_id, redis_port, directory, extra=None):
    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOME": directory, "DOTNET_NOLOGO": "1", "PORT": str(port), "INFLIGHT_DATABASE_URL": "none",
           "DEMO_TRAFFIC": "false", "DEMO_ERROR_RATE": "0", "DEMO_RATE_LIMIT_RATE": "0", "DEMO_STREAM_BREAK_RATE": "0",
           "Logging__LogLevel__Default": "Warning"}
    if redis_port:
        env.update({"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "INFLIGHT_REPLICA_ID": replica_id})
    env.update(extra or {})
    proc = subprocess.Popen(["dotnet", DLL, "--demo"], cwd=directory, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if line.strip().startswith("Listening"):
            subprocess.Popen(["cat"], stdin=proc.stdout, stdout=subprocess.DEVNULL)
            return proc, port
        if time.monotonic() > deadline:
            break
    raise RuntimeError(f"replica {replica_id} did not start")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def post(port, body, read_all=True):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = json.dumps(body).encode()
    writer.write(f"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nanthropic-version: 2023-06-01\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if read_all:
        await reader.read()
        writer.close()
        return head, None
    return head, writer


def message(stream, max_tokens):
    return {"model": "demo-fast", "max_tokens": max_tokens, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}


async def latency(a_port, b_port, count):
    """Each request carries metadata.user_id = its number; B's delta stream reports it in request-start."""
    seen, sent = {}, {}
    reader, writer = await asyncio.open_connection("127.0.0.1", b_port)
    writer.write(b"GET /metrics/active-requests/stream?mode=delta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()

    async def read_events():
        event = None
        while True:
            line = (await reader.readline()).decode().strip()
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "request-start":
                user = json.loads(line[5:]).get("user_id")
                if user:
                    seen.setdefault(user, time.monotonic())

    task = asyncio.create_task(read_events())
    await asyncio.sleep(1)
    requests = []
    warmup = 30
    for i in range(-warmup, count):
        body = message(False, 3)
        body["metadata"] = {"user_id": f"bench-{i}"}
        sent[f"bench-{i}"] = time.monotonic()
        requests.append(asyncio.create_task(post(a_port, body)))
        await asyncio.sleep(0.02)
    deadline = time.monotonic() + 30
    while len([u for u in sent if u in seen]) < count + warmup and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    task.cancel()
    writer.close()
    await asyncio.gather(*requests, return_exceptions=True)
    return sorted((seen[u] - sent[u]) * 1000 for u in sent if u in seen and not u.startswith("bench--"))


async def hold_streams(a_port, redis_port, count):
    before = int([l for l in redis_cmd(redis_port, "INFO", "memory").splitlines() if l.startswith("used_memory:")][0].split(":")[1])
    writers = []
    for batch in range(0, count, 100):
        opened = await asyncio.gather(*(post(a_port, message(True, 4000), read_all=False) for _ in range(min(100, count - batch))))
        writers.extend(w for _, w in opened)
    deadline = time.monotonic() + 60
    while int(redis_cmd(redis_port, "HLEN", "{inflight}:active:a").strip() or 0) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    held = int(redis_cmd(redis_port, "HLEN", "{inflight}:active:a").strip())
    after = int([l for l in redis_cmd(redis_port, "INFO", "memory").splitlines() if l.startswith("used_memory:")][0].split(":")[1])
    for w in writers:
        w.close()
    return held, after - before


async def cpu_per_request(port, pid, rate, seconds):
    total = int(rate * seconds)
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    tasks = []
    for i in range(total):
        tasks.append(asyncio.create_task(post(port, message(False, 5))))
        delay = start + (i + 1) / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - start
    return (cpu_seconds(pid) - start_cpu) / total * 1e6, total / elapsed


def pct(samples, p):
    return samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--active", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    fast = {"DEMO_MIN_TTFT_MS": "0", "DEMO_MAX_TTFT_MS": "1", "DEMO_MIN_TOKENS_PER_SECOND": "10000", "DEMO_MAX_TOKENS_PER_SECOND": "10000"}
    slow = {"DEMO_MIN_TTFT_MS": "200", "DEMO_MAX_TTFT_MS": "300", "DEMO_MIN_TOKENS_PER_SECOND": "1", "DEMO_MAX_TOKENS_PER_SECOND": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        redis, redis_port = start_redis(tmp)
        procs = [redis]
        try:
            a, a_port = start_replica("a", redis_port, tmp, slow)
            b, b_port = start_replica("b", redis_port, tmp, slow)
            procs += [a, b]
            samples = await latency(a_port, b_port, args.requests)
            print(f"cross-replica view latency (start on A -> request-start on B), n={len(samples)}: p50 {pct(samples, 50):.1f} ms, p99 {pct(samples, 99):.1f} ms, max {samples[-1]:.1f} ms")
            held, memory = await hold_streams(a_port, redis_port, args.active)
            print(f"Redis memory with {held} active requests held on A: +{memory / 1024:.0f} KiB ({memory / max(held, 1) * 1000 / 1024 / 1024:.2f} MiB per 1,000)")
            for p in (a, b):
                p.terminate()
                p.wait()
            procs = [redis]

            with_redis, with_port = start_replica("a", redis_port, tmp, fast)
            viewer, _ = start_replica("b", redis_port, tmp, fast)
            procs += [with_redis, viewer]
            await cpu_per_request(with_port, with_redis.pid, args.rate, 2)  # warm-up
            viewer_cpu = cpu_seconds(viewer.pid)
            cpu_with, rate_with = await cpu_per_request(with_port, with_redis.pid, args.rate, args.seconds)
            viewer_cpu = cpu_seconds(viewer.pid) - viewer_cpu
            for p in (with_redis, viewer):
                p.terminate()
                p.wait()
            procs = [redis]
            plain, plain_port = start_replica("plain", None, tmp, fast)
            procs.append(plain)
            await cpu_per_request(plain_port, plain.pid, args.rate, 2)
            cpu_without, rate_without = await cpu_per_request(plain_port, plain.pid, args.rate, args.seconds)
            print(f"gateway CPU per request: {cpu_with:.0f} us with REDIS_URL ({rate_with:.0f} req/s), {cpu_without:.0f} us without ({rate_without:.0f} req/s): {cpu_with / cpu_without:.2f}x")
            print(f"a second replica viewing that traffic used {viewer_cpu / (args.rate * args.seconds) * 1e6:.0f} us CPU per request")
        finally:
            for p in procs:
                p.terminate()
                p.wait()


if __name__ == "__main__":
    asyncio.run(main())
