"""Sweep the worker count: the same work at k = 1, 2, ... and the speed-up at each k."""
import os
import time
from concurrent.futures import ProcessPoolExecutor


def count_primes(chunk):
    start, end = chunk
    count = 0
    for n in range(max(start, 2), end):
        if n % 2 == 0 and n != 2:
            continue
        d = 3
        while d * d <= n and n % d:
            d += 2
        count += d * d > n
    return count


def main(limit=100_000, chunk=5_000, max_workers=4):
    chunks = [(s, min(s + chunk, limit)) for s in range(0, limit, chunk)]
    base = None
    for k in range(1, max_workers + 1):
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=k) as pool:
            total = sum(pool.map(count_primes, chunks))
        elapsed = time.perf_counter() - t0
        base = base or elapsed
        print(f"k={k}: {total} primes in {elapsed:.3f} s, speed-up x{base / elapsed:.2f}"
              f"{'  (more workers than cores)' if k > (os.cpu_count() or 1) else ''}")


if __name__ == "__main__":
    main()
