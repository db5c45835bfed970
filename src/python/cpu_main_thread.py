"""CPU work on the event loop's own thread freezes everything else that loop should run."""
import asyncio
import time


def count_primes(limit):
    return sum(all(n % d for d in range(2, int(n ** 0.5) + 1)) for n in range(2, limit))


async def ticker(ticks):
    while True:
        ticks.append(time.perf_counter())
        await asyncio.sleep(0.01)


async def main():
    ticks = []
    task = asyncio.create_task(ticker(ticks))
    await asyncio.sleep(0.05)
    t0 = time.perf_counter()
    count_primes(60_000)                 # blocks the loop: no tick can run meanwhile
    frozen = time.perf_counter() - t0
    await asyncio.sleep(0.05)
    task.cancel()
    gap = max(b - a for a, b in zip(ticks, ticks[1:]))
    print(f"the loop was frozen for {frozen * 1000:.0f} ms; longest gap between ticks {gap * 1000:.0f} ms")
    # The fix: await loop.run_in_executor(pool, count_primes, 60_000) keeps the ticks coming.


if __name__ == "__main__":
    asyncio.run(main())
