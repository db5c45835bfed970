"""Count primes below N: first sequentially, then on k worker processes pulling chunks.

CPU-bound Python threads take turns under the GIL, so real parallel speed-up needs
processes (or a free-threaded build, PEP 703). The playground's workers behave like those.
"""
import time
from concurrent.futures import ProcessPoolExecutor


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(chunk):
    start, end = chunk
    return sum(1 for n in range(start, end) if is_prime(n))


def main(limit=200_000, chunk=20_000, workers=2):
    chunks = [(s, min(s + chunk, limit)) for s in range(0, limit, chunk)]

    t0 = time.perf_counter()
    sequential = sum(map(count_primes, chunks))
    t1 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # map hands the next chunk to whichever worker is free: dynamic chunking.
        parallel = sum(pool.map(count_primes, chunks))
    t2 = time.perf_counter()

    assert sequential == parallel, "the parallel answer must match"
    print(f"{parallel} primes below {limit}: sequential {t1 - t0:.3f} s, "
          f"{workers} processes {t2 - t1:.3f} s, speed-up x{(t1 - t0) / (t2 - t1):.2f}")


if __name__ == "__main__":
    main()
