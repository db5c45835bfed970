"""One model at k = 1, 2, ... workers: the speed-up over k = 1, and a pool size from the
measurements (the smallest k within 5% of the best) next to the rule of thumb."""
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def cpu(n=200_000):
    return sum(i * i for i in range(n))


def io(s=0.03):
    time.sleep(s)


def sweep(executor, fn, tasks=8, max_k=4):
    points = []
    for k in range(1, max_k + 1):
        with executor(k) as pool:
            t0 = time.perf_counter()
            for f in [pool.submit(fn) for _ in range(tasks)]:
                f.result()
            points.append((k, time.perf_counter() - t0))
    base = points[0][1]
    return [(k, base / wall) for k, wall in points]


def pool_size(points, rule):
    best = max(s for _, s in points)
    return next((k for k, s in points if s >= best * 0.95), rule)


if __name__ == "__main__":
    cores = os.cpu_count() or 1
    io_points = sweep(ThreadPoolExecutor, io)
    print("threads, I/O-bound:", [f"k={k} x{s:.2f}" for k, s in io_points])
    print("pool size:", pool_size(io_points, min(32, 5 * cores)), "rule of thumb:", min(32, 5 * cores))
    cpu_points = sweep(ProcessPoolExecutor, cpu, max_k=2)
    print("processes, CPU-bound:", [f"k={k} x{s:.2f}" for k, s in cpu_points])
    print("pool size:", pool_size(cpu_points, cores), "rule of thumb:", cores)
