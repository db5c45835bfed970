"""Awaiting coroutines one by one costs the sum of their waits; gather costs the longest."""
import asyncio
import time


async def fetch(i, wait, yields=2):
    for _ in range(yields):
        await asyncio.sleep(0)          # yield: every other ready task runs once
    await asyncio.sleep(wait)           # a network wait: the loop runs others meanwhile
    return f"fetch-{i}"


async def main():
    waits = [0.1, 0.2, 0.3]
    t0 = time.perf_counter()
    for i, w in enumerate(waits):
        await fetch(i, w)                # one after another
    sequential = time.perf_counter() - t0

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(fetch(i, w), name=f"gather-{i}") for i, w in enumerate(waits)]
    results = await asyncio.gather(*tasks)
    gathered = time.perf_counter() - t0
    print(results, [t.done() for t in tasks])
    print(f"sequential {sequential:.2f} s (sum {sum(waits)}), gather {gathered:.2f} s (longest {max(waits)})")


asyncio.run(main())
