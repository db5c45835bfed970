"""TaskGroup: one failure cancels the siblings (their cleanup runs) and every error surfaces
together. gather(return_exceptions=True) lets the others finish instead; a plain gather()
raises the first error to its caller while the others keep running."""
import asyncio


async def worker(i, failing=1, fail_after=0.15, work=0.3, step=0.1):
    try:
        if i < failing:
            await asyncio.sleep(fail_after)
            raise ValueError(f"ValueError from worker-{i}")
        await asyncio.sleep(work + i * step)
        return i
    except asyncio.CancelledError:
        print(f"worker-{i}: cancelled, cleanup ran (finally:)")
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:            # Python 3.11+
            for i in range(4):
                tg.create_task(worker(i), name=f"worker-{i}")
    except* ValueError as group:
        print("TaskGroup raised", [str(e) for e in group.exceptions])

    results = await asyncio.gather(*(worker(i) for i in range(4)), return_exceptions=True)
    print("gather:", results)

    # gather without return_exceptions: the first error propagates, nothing is cancelled.
    tasks = [asyncio.create_task(worker(i), name=f"gathered-{i}") for i in range(4)]
    try:
        await asyncio.gather(*tasks)
    except ValueError as e:
        running = [t.get_name() for t in tasks if not t.done()]
        print("gather raised:", e, "- still running:", running)
    await asyncio.wait(tasks)                            # they run on to their own end
    finished = [t.get_name() for t in tasks if not t.cancelled() and t.exception() is None]
    print("finished after the error:", finished)
    assert len(finished) == 3


asyncio.run(main())
