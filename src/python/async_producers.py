"""Several producers and consumers on one asyncio.Queue. The standard shutdown: wait for the
producers, await queue.join() until every item is marked done, then cancel the consumers
(they loop forever on get())."""
import asyncio


async def producer(p, queue, items=4, make=0.05):
    for j in range(items):
        await asyncio.sleep(make)                    # make an item
        await queue.put(p * items + j)               # waits while the queue is full


async def consumer(c, queue, handled, handle=0.12):
    try:
        while True:
            item = await queue.get()
            await asyncio.sleep(handle)              # handle it
            handled.append(item)
            queue.task_done()
    except asyncio.CancelledError:
        print(f"consumer-{c}: cancelled")
        raise


async def main(producers=3, consumers=2, maxsize=2):
    queue = asyncio.Queue(maxsize=maxsize)
    handled = []
    workers = [asyncio.create_task(consumer(c, queue, handled)) for c in range(consumers)]
    await asyncio.gather(*(producer(p, queue) for p in range(producers)))
    await queue.join()                               # every item put has been marked done
    for w in workers:
        w.cancel()                                   # they are idle in get()
    await asyncio.gather(*workers, return_exceptions=True)
    print(f"{len(handled)} items handled:", sorted(handled))
    assert sorted(handled) == list(range(producers * 4))   # each exactly once


asyncio.run(main())
