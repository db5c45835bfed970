"""The tutorials' table, and choosing a pool: CPU-bound -> processes (cores), I/O-bound ->
threads (min(32, 5 x cores)) or asyncio for many tasks, mixed -> min(16, 2 x cores)."""
import asyncio
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def cpu(n=1_500_000):
    return sum(i * i for i in range(n))


def io(s=0.04):
    time.sleep(s)


def table():
    cores = os.cpu_count() or 1
    rows = []
    for name, fn in (("cpu", cpu), ("io", io)):
        t0 = time.perf_counter()
        for _ in range(8):
            fn()
        seq = time.perf_counter() - t0
        for label, ex in (("threads", ThreadPoolExecutor(cores)), ("processes", ProcessPoolExecutor(cores))):
            with ex:
                t0 = time.perf_counter()
                for f in [ex.submit(fn) for _ in range(8)]:
                    f.result()
                rows.append((name, label, seq / (time.perf_counter() - t0)))
    return rows


def pool_size(cpu_share, cores=os.cpu_count() or 1):
    if cpu_share >= 0.7:
        return "processes", cores
    if cpu_share <= 0.3:
        return "threads", min(32, 5 * cores)
    return "processes + threads", min(16, 2 * cores)


if __name__ == "__main__":
    for workload, model, speedup in table():
        print(f"{workload:4} {model:10} x{speedup:.2f}")
    print(pool_size(0.95), pool_size(0.1), pool_size(0.5))
