"""wait_for per task, asyncio.timeout over a group, cleanup on cancel, and shield."""
import asyncio


async def job(name, work):
    try:
        await asyncio.sleep(work)
        return name
    except asyncio.CancelledError:
        print(f"{name}: cancelled, cleanup ran")
        raise


async def main():
    for i, work in enumerate([0.1, 0.2, 0.3]):
        try:
            await asyncio.wait_for(job(f"wait_for-{i}", work), timeout=0.25)
        except TimeoutError:
            print(f"wait_for-{i}: TimeoutError")

    try:
        async with asyncio.timeout(0.25):                # one deadline for the whole block
            await asyncio.gather(*(job(f"deadline-{i}", w) for i, w in enumerate([0.1, 0.2, 0.3])))
    except TimeoutError:
        print("deadline passed: the rest were cancelled")

    save = asyncio.create_task(job("shielded-save", 0.4))
    try:
        await asyncio.wait_for(asyncio.shield(save), timeout=0.25)
    except TimeoutError:
        print("the waiter gave up; the shielded task goes on")
    print(await save, "finished anyway")


asyncio.run(main())
