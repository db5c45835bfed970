"""A bounded buffer with a Condition: wait in a while loop; notify vs notify_all."""
import collections
import threading
import time

buffer, capacity = collections.deque(), 3
cond = threading.Condition()
consumed = []


def producer(p, items=15):
    for i in range(items):
        time.sleep(0.004)
        with cond:
            while len(buffer) >= capacity:          # always re-check after waking up
                cond.wait()
            buffer.append(p * items + i)
            cond.notify()                            # notify_all() wakes every waiter


def consumer(total):
    while True:
        with cond:
            while not buffer:
                if len(consumed) >= total:
                    return
                cond.wait(timeout=0.01)
            consumed.append(buffer.popleft())
            cond.notify()
        time.sleep(0.01)


threads = [threading.Thread(target=producer, args=(p,)) for p in range(2)]
threads += [threading.Thread(target=consumer, args=(30,)) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(consumed), "consumed, each once:", sorted(consumed) == list(range(30)))
