"""Retry with exponential back-off and full jitter against a flaky service (seeded)."""
import asyncio
import random


class Flaky(Exception):
    pass


async def call_service(rng, p_fail=0.5):
    await asyncio.sleep(0.05)                        # one call takes 50 ms
    if rng.random() < p_fail:
        raise Flaky("503 Service Unavailable")
    return "200 OK"


async def with_retries(i, base=0.05, factor=2, cap=1.0, max_retries=4, jitter=True):
    rng = random.Random(42 + i)                      # seeded: the same run every time
    for retry in range(max_retries + 1):
        try:
            return await call_service(rng)
        except Flaky:
            if retry == max_retries:
                return "gave up"
            delay = min(cap, base * factor ** retry)     # exponential back-off, capped
            if jitter:
                delay = rng.uniform(0, delay)            # full jitter
            print(f"request-{i}: retry {retry + 1} in {delay * 1000:.0f} ms")
            await asyncio.sleep(delay)


async def main():
    print(await asyncio.gather(*(with_retries(i) for i in range(5))))


asyncio.run(main())
