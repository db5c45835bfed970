"""Actors: a counter and a printer that own their state and read a mailbox; Get replies
through a future. Many clients, no lock, no lost update."""
import asyncio


async def counter(mailbox):
    count = 0
    while True:
        msg, arg = await mailbox.get()
        await asyncio.sleep(0.005)                   # handling a message takes time
        if msg == "add":
            count += arg
        elif msg == "get":
            arg.set_result(count)                    # request/reply
        elif msg == "stop":
            return


async def printer(mailbox):
    while True:
        msg, line = await mailbox.get()
        if msg == "stop":
            return
        await asyncio.sleep(0.002)
        print("printer:", line)


async def ask(mailbox):
    reply = asyncio.get_running_loop().create_future()   # a one-shot reply channel
    await mailbox.put(("get", reply))
    return await reply


async def client(c, counter_box, printer_box, messages):
    for _ in range(messages):
        await counter_box.put(("add", 1))
        await asyncio.sleep(0.01)
    await printer_box.put(("print", f"client-{c} sees count = {await ask(counter_box)}"))


async def main(clients=4, messages=5):
    counter_box, printer_box = asyncio.Queue(), asyncio.Queue()
    actors = [asyncio.create_task(counter(counter_box)), asyncio.create_task(printer(printer_box))]
    await asyncio.gather(*(client(c, counter_box, printer_box, messages) for c in range(clients)))
    total = await ask(counter_box)
    print("final count:", total, "expected:", clients * messages)
    assert total == clients * messages
    await counter_box.put(("stop", None))
    await printer_box.put(("stop", None))
    await asyncio.gather(*actors)


asyncio.run(main())
