"""Naive Fibonacci calls, the classic CPU-bound task: threads vs processes for the same calls."""
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def main(calls=16, n=20, workers=2):
    args = [n] * calls
    t0 = time.perf_counter()
    sequential = sum(map(fib, args))
    t1 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:   # one GIL: no faster
        threaded = sum(pool.map(fib, args))
    t2 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:  # one GIL each: parallel
        parallel = sum(pool.map(fib, args))
    t3 = time.perf_counter()
    assert sequential == threaded == parallel
    print(f"{calls} x fib({n}): sequential {t1 - t0:.3f} s, {workers} threads {t2 - t1:.3f} s, "
          f"{workers} processes {t3 - t2:.3f} s")


if __name__ == "__main__":
    main()
