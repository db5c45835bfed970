"""TaskGroup: one failure cancels the siblings (their cleanup runs) and every error surfaces
together. gather(return_exceptions=True) lets the others finish instead."""
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


asyncio.run(main())
