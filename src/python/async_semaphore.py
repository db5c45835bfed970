"""An Event releases every request at once; Semaphore(2) lets 2 in at a time (6 requests ->
3 waves); a read-modify-write with an await inside loses updates unless a Lock guards it."""
import asyncio
import time


async def request(i, go, sem):
    await go.wait()
    async with sem:
        await asyncio.sleep(0.2)


async def bump(state, lock, updates=10):
    for _ in range(updates):
        if lock:
            async with lock:
                v = state["n"]
                await asyncio.sleep(0)       # an await inside the critical section
                state["n"] = v + 1
        else:
            v = state["n"]
            await asyncio.sleep(0)
            state["n"] = v + 1


async def main():
    go, sem = asyncio.Event(), asyncio.Semaphore(2)
    tasks = [asyncio.create_task(request(i, go, sem)) for i in range(6)]
    await asyncio.sleep(0.05)
    t0 = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    print(f"6 requests, limit 2: {time.perf_counter() - t0:.2f} s (3 waves of 0.2 s)")

    for lock in (None, asyncio.Lock()):
        state = {"n": 0}
        await asyncio.gather(*(bump(state, lock) for _ in range(6)))
        print("with lock" if lock else "without lock", state["n"], "of 60")


asyncio.run(main())
