"""A token bucket (rate, capacity) with a bounded waiting line: back-pressure."""
import asyncio
import time


class TokenBucket:
    def __init__(self, rate, capacity):
        self.rate, self.capacity = rate, capacity
        self.tokens, self.t = capacity, time.monotonic()

    async def acquire(self):
        while True:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.t) * self.rate)
            self.t = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)   # until the next token


async def main(requests=16, arrival=0.02):
    bucket, line = TokenBucket(rate=5, capacity=3), asyncio.Semaphore(3 + 5)   # burst + waiting line
    t0, admitted, rejected = time.monotonic(), [], 0
    lock = asyncio.Lock()                            # first come, first served

    async def request(i):
        async with line:
            async with lock:
                await bucket.acquire()
            admitted.append(round((time.monotonic() - t0) * 1000))

    tasks = []
    for i in range(requests):
        if line.locked():                            # the line is full: push back
            rejected += 1
        else:
            tasks.append(asyncio.create_task(request(i)))
        await asyncio.sleep(arrival)
    await asyncio.gather(*tasks)
    print(f"admitted at (ms): {admitted}; rejected: {rejected}")


asyncio.run(main())
