"""The same prime counting four ways. With the GIL, threads take turns: no faster than one.
Processes (and free-threaded 3.13t) run in parallel; asyncio is one thread."""
import asyncio
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def count_primes(start, end):
    n = 0
    for x in range(max(start, 2), end):
        if all(x % d for d in range(2, int(x ** 0.5) + 1)):
            n += 1
    return n


def timed(label, fn):
    t0 = time.perf_counter()
    result = fn()
    print(f"{label:12} {time.perf_counter() - t0:.3f} s  {result}")


if __name__ == "__main__":
    sys.setswitchinterval(0.005)                     # the GIL's switch interval (default)
    parts = [(i * 15_000, (i + 1) * 15_000) for i in range(4)]
    timed("sequential", lambda: sum(count_primes(a, b) for a, b in parts))
    with ThreadPoolExecutor(2) as ex:
        timed("threads", lambda: sum(ex.map(count_primes, *zip(*parts))))
    with ProcessPoolExecutor(2) as ex:
        timed("processes", lambda: sum(ex.map(count_primes, *zip(*parts))))

    async def main():
        async def task(a, b):
            return count_primes(a, b)                # no await inside: it holds the loop
        return sum(await asyncio.gather(*(task(a, b) for a, b in parts)))
    timed("asyncio", lambda: asyncio.run(main()))
