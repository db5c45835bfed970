"""Calling a coroutine function is not running it; create_task vs awaiting in turn."""
import asyncio
import gc
import time
import warnings

warnings.simplefilter("always")                  # show the RuntimeWarning every time
ran = []


async def fetch(i, wait):
    ran.append(i)                                # the body: runs only when awaited
    await asyncio.sleep(wait)
    return i


async def main():
    coro = fetch(99, 0.3)                        # a coroutine object; nothing has run
    await asyncio.sleep(0.3)
    print("after 0.3 s the body ran:", 99 in ran, "-", coro)
    del coro                                     # RuntimeWarning: coroutine 'fetch' was never awaited
    gc.collect()

    asyncio.create_task(fetch(90, 0))            # a task runs even if nobody awaits it
    await asyncio.sleep(0)
    print("the task nobody awaited ran:", 90 in ran)

    t0 = time.perf_counter()
    for i, w in enumerate([0.1, 0.2, 0.3]):
        await fetch(i, w)                        # each starts after the last one ends
    print(f"awaited one after another: {time.perf_counter() - t0:.2f} s (the sum)")

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(fetch(i, w)) for i, w in enumerate([0.1, 0.2, 0.3])]
    for t in tasks:
        await t                                  # they were all waiting at once
    print(f"create_task, then await: {time.perf_counter() - t0:.2f} s (the longest)")


asyncio.run(main())
