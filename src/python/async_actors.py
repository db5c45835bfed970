"""Actors: a counter and a printer that own their state and read a mailbox; Get replies
through a future. Many clients, no lock, no lost update."""
import asyncio


async def counter(mailbox):
    count = 0
    while True:
        msg, arg = await mailbox.get()
        if msg == "add":
            count += arg
        elif msg == "get":
            arg.set_result(count)                    # request/reply
        elif msg == "stop":
            return count


async def printer(mailbox):
    while (line := await mailbox.get()) is not None:
        print("printer:", line)


async def client(c, counter_box, printer_box, messages=5):
    for _ in range(messages):
        await counter_box.put(("add", 1))
        await asyncio.sleep(0.01)
    reply = asyncio.get_running_loop().create_future()
    await counter_box.put(("get", reply))
    await printer_box.put(f"client-{c} sees count = {await reply}")


async def main(clients=4):
    counter_box, printer_box = asyncio.Queue(), asyncio.Queue()
    c = asyncio.create_task(counter(counter_box))
    p = asyncio.create_task(printer(printer_box))
    await asyncio.gather(*(client(i, counter_box, printer_box) for i in range(clients)))
    await counter_box.put(("stop", None))
    await printer_box.put(None)
    print("final count:", await c, "expected:", clients * 5)
    await p


asyncio.run(main())
