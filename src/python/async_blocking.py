"""CPU work in a coroutine freezes every timer on the loop; run_in_executor keeps it free."""
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor


def cpu(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def ticker(period, stop, lags):
    loop = asyncio.get_running_loop()
    due = loop.time() + period
    while not stop.is_set():
        await asyncio.sleep(max(0, due - loop.time()))
        lags.append(loop.time() - due)
        due = max(due + period, loop.time())


async def phase(offload):
    stop, lags = asyncio.Event(), []
    tick = asyncio.create_task(ticker(0.01, stop, lags))
    await asyncio.sleep(0.05)
    if offload:
        with ThreadPoolExecutor() as pool:
            await asyncio.get_running_loop().run_in_executor(pool, cpu, 0.3)
    else:
        cpu(0.3)                                   # blocks the loop: nothing else runs
    await asyncio.sleep(0.03)
    stop.set()
    await tick
    return max(lags) * 1000


async def main():
    print(f"worst ticker lag: blocked {await phase(False):.0f} ms, offloaded {await phase(True):.0f} ms")


asyncio.run(main())
