"""Why CPython has a GIL, and what lets go of it: reference counts, the switch interval,
pure-Python threads that take turns (concurrency) against waits and C code that overlap."""
import hashlib
import sys
import threading
import time


def count_primes(start, end):
    """Pure Python: the thread holds the GIL for all of it (until it is asked to let go)."""
    found = 0
    for n in range(max(start, 2), end):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            found += 1
    return found


def on_threads(target, jobs):
    """Runs target(*job) for every job on a thread of its own; returns the wall time."""
    threads = [threading.Thread(target=target, args=job) for job in jobs]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


if __name__ == "__main__":
    # Why a GIL: every object carries a reference count that each new reference changes.
    x = []
    before = sys.getrefcount(x)
    y = x
    print(f"refcount of x: {before}, after y = x: {sys.getrefcount(x)}")
    print(f"switch interval: {sys.getswitchinterval()} s")   # 0.005 s = 5 ms by default
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()     # False on a free-threaded build
    print(f"GIL enabled: {gil}")

    # Pure Python: two threads take turns on the GIL (concurrency, not parallelism).
    n = 30_000
    count_primes(0, n)                                         # warm up once, untimed
    t0 = time.perf_counter()
    count_primes(0, n)
    count_primes(n, 2 * n)
    one_by_one = time.perf_counter() - t0
    two_threads = on_threads(count_primes, [(0, n), (n, 2 * n)])
    print(f"primes: one after another {one_by_one:.3f} s, on 2 threads {two_threads:.3f} s")

    # Blocking waits release the GIL: four 0.1 s sleeps overlap.
    print(f"4 x time.sleep(0.1) on 4 threads: {on_threads(time.sleep, [(0.1,)] * 4):.3f} s")

    # hashlib lets go of the GIL while it hashes large data: these can run in parallel.
    data = b"x" * 40_000_000
    t0 = time.perf_counter()
    hashlib.sha256(data).digest()
    hashlib.sha256(data).digest()
    alone = time.perf_counter() - t0
    both = on_threads(lambda: hashlib.sha256(data).digest(), [(), ()])
    print(f"sha256 of 40 MB twice: one after another {alone:.3f} s, on 2 threads {both:.3f} s")
