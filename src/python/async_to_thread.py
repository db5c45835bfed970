"""Blocking I/O inside a coroutine stalls the loop; asyncio.to_thread (run_in_executor(None, ...))
keeps it free. Then process-pool futures gathered together with coroutines."""
import asyncio
import time
from concurrent.futures import ProcessPoolExecutor


async def ticker(period, stop, lags):
    loop = asyncio.get_running_loop()
    due = loop.time() + period
    while not stop.is_set():
        await asyncio.sleep(max(0, due - loop.time()))
        lags.append(loop.time() - due)
        due = max(due + period, loop.time())


async def handler(offload):
    if offload:
        await asyncio.to_thread(time.sleep, 0.1)   # = loop.run_in_executor(None, time.sleep, 0.1)
    else:
        time.sleep(0.1)                            # blocks the loop: nothing else runs


async def phase(offload):
    stop, lags = asyncio.Event(), []
    tick = asyncio.create_task(ticker(0.02, stop, lags))
    await asyncio.sleep(0.04)
    t0 = time.perf_counter()
    await asyncio.gather(handler(offload), handler(offload))
    took = time.perf_counter() - t0
    await asyncio.sleep(0.06)
    stop.set()
    await tick
    return max(lags) * 1000, took * 1000


def cpu(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return seconds


async def main():
    lag, took = await phase(False)
    print(f"time.sleep on the loop: ticker {lag:.0f} ms late, calls took {took:.0f} ms")
    lag, took = await phase(True)
    print(f"asyncio.to_thread:      ticker {lag:.0f} ms late, calls took {took:.0f} ms")

    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=2) as pool:
        await loop.run_in_executor(pool, cpu, 0)  # start the workers before timing
        t0 = time.perf_counter()
        results = await asyncio.gather(
            loop.run_in_executor(pool, cpu, 0.15),
            loop.run_in_executor(pool, cpu, 0.15),
            asyncio.sleep(0.1, result="coroutine"),
            asyncio.sleep(0.1, result="coroutine"),
        )
        print(f"gathered {results} in {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
