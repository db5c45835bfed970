"""An async context manager and an async generator. `async with limiter:` lets at most
`limit` requests inside at once (its __aexit__ frees the slot even when the block raises);
`async for page in pages(n, size)` yields ceil(n / size) pages, the last one partial."""
import asyncio


class Limiter:
    """At most `limit` blocks inside at once."""

    def __init__(self, limit):
        self._slots = asyncio.Semaphore(limit)
        self.inside = self.peak = 0

    async def __aenter__(self):
        await self._slots.acquire()                  # waits for a free slot
        self.inside += 1
        self.peak = max(self.peak, self.inside)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.inside -= 1
        self._slots.release()                        # also when the block raised
        return False                                 # do not swallow the exception


async def request(limiter, i, hold=0.2, fail_every=4):
    async with limiter:
        if (i + 1) % fail_every == 0:
            await asyncio.sleep(hold / 2)
            raise ValueError(f"request-{i}")
        await asyncio.sleep(hold)
        return i


async def pages(n, size, fetch=0.08):
    """An async generator: one page per step, the last one holds what is left."""
    for start in range(0, n, size):
        await asyncio.sleep(fetch)                   # fetch one page
        yield list(range(start, min(start + size, n)))


async def read_pages(n=23, size=5):
    sizes = []
    async for page in pages(n, size):
        print(f"page {len(sizes)}: {len(page)} items")
        sizes.append(len(page))
    return sizes


async def main(requests=8, limit=3):
    limiter = Limiter(limit)
    reader = asyncio.create_task(read_pages())
    results = await asyncio.gather(*(request(limiter, i) for i in range(requests)),
                                   return_exceptions=True)
    raised = [r for r in results if isinstance(r, ValueError)]
    print(f"{requests} requests, at most {limiter.peak} inside, {len(raised)} raised,"
          f" inside now: {limiter.inside}")
    assert limiter.peak == limit and limiter.inside == 0
    sizes = await reader
    assert sizes == [5, 5, 5, 5, 3]                  # ceil(23 / 5) pages, the last partial


asyncio.run(main())
