"""Producer -> processors -> consumer: an async generator for pages, a bounded queue,
an error queue, sentinels and join()."""
import asyncio

STOP = object()


async def fetch_pages(pages=4, size=5):
    for page in range(pages):                        # async iterator over a paginated API
        await asyncio.sleep(0.06)
        yield list(range(page * size + 1, (page + 1) * size + 1))


async def processor(name, items, results, errors):
    while True:
        item = await items.get()
        try:
            if item is STOP:
                return
            await asyncio.sleep(0.04)
            if item % 7 == 0:
                raise ValueError(f"item {item}")
            await results.put((item, name))
        except ValueError as e:
            await errors.put(str(e))                 # the error channel: the pipeline goes on
        finally:
            items.task_done()


async def consumer(results, seen):
    while (result := await results.get()) is not None:
        seen.append(result)


async def main(processors=3):
    items, results, errors = asyncio.Queue(maxsize=4), asyncio.Queue(), asyncio.Queue()
    workers = [asyncio.create_task(processor(f"processor-{p}", items, results, errors))
               for p in range(processors)]
    seen = []
    consuming = asyncio.create_task(consumer(results, seen))
    async for page in fetch_pages():
        for item in page:
            await items.put(item)                    # waits while the queue is full
    for _ in workers:
        await items.put(STOP)                        # one sentinel per processor
    await items.join()
    await results.put(None)                          # the consumer's sentinel
    await consuming
    failed = [errors.get_nowait() for _ in range(errors.qsize())]
    print(f"{len(seen)} results consumed, {len(failed)} errors: {failed}")
    assert len(seen) + len(failed) == 20


asyncio.run(main())
