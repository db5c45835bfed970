"""10,000 concurrent coroutines: the wall time is the sleep plus the loop's overhead."""
import asyncio
import time


async def one():
    await asyncio.sleep(0)
    await asyncio.sleep(0.1)


async def main(n=10_000):
    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    wall = time.perf_counter() - t0
    print(f"{n} coroutines: {wall * 1000:.0f} ms, overhead {(wall - 0.1) / n * 1e6:.1f} µs each")


asyncio.run(main())
