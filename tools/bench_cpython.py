"""The benchmark command's CPython side: the same experiments in real Python on this machine,
printed as JSON (GIL ratios for CPU-bound and I/O-bound work; asyncio overhead per task)."""
import asyncio
import json
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def count_primes(a, b):
    n = 0
    for x in range(max(a, 2), b):
        if all(x % d for d in range(2, int(x ** 0.5) + 1)):
            n += 1
    return n


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def timed(fn, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return median(out) * 1000


def gil(k, tasks, limit, io_ms, repeats):
    parts = [(i * limit, (i + 1) * limit) for i in range(tasks)]
    cpu_seq = timed(lambda: [count_primes(a, b) for a, b in parts], repeats)
    with ThreadPoolExecutor(k) as ex:
        cpu_thr = timed(lambda: list(ex.map(lambda p: count_primes(*p), parts)), repeats)
    with ProcessPoolExecutor(k) as ex:
        list(ex.map(count_primes, [0], [10]))
        cpu_proc = timed(lambda: list(ex.map(count_primes, *zip(*parts))), repeats)
    wait = lambda _=None: time.sleep(io_ms / 1000)
    io_seq = timed(lambda: [wait() for _ in range(tasks)], repeats)
    with ThreadPoolExecutor(k) as ex:
        io_thr = timed(lambda: list(ex.map(wait, range(tasks))), repeats)

    async def aio():
        await asyncio.gather(*(asyncio.sleep(io_ms / 1000) for _ in range(tasks)))
    io_async = timed(lambda: asyncio.run(aio()), repeats)
    return {
        "cpu": {"sequential_ms": cpu_seq, "threads_ms": cpu_thr, "processes_ms": cpu_proc,
                "threads_speedup": cpu_seq / cpu_thr, "processes_speedup": cpu_seq / cpu_proc},
        "io": {"sequential_ms": io_seq, "threads_ms": io_thr, "async_ms": io_async,
               "threads_speedup": io_seq / io_thr, "async_speedup": io_seq / io_async},
    }


def overhead(n, sleep_ms=100):
    async def one():
        await asyncio.sleep(0)
        await asyncio.sleep(sleep_ms / 1000)

    async def main():
        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return (time.perf_counter() - t0) * 1000
    wall = asyncio.run(main())
    return {"tasks": n, "wall_ms": wall, "overhead_us": (wall - sleep_ms) / n * 1000}


if __name__ == "__main__":
    short = "--short" in sys.argv
    k = int(next((a for a in sys.argv[1:] if a.isdigit()), "2"))
    report = {
        "python": sys.version.split()[0],
        "gil": gil(k, 8, 20_000 if short else 150_000, 40, 1 if short else 3),
        "asyncio": [overhead(n) for n in ((1_000,) if short else (1_000, 10_000, 100_000))],
    }
    print(json.dumps(report))
