"""FIFO, LIFO and priority queues; maxsize back-pressure; task_done/join; sentinels."""
import queue
import threading
import time

for q in (queue.Queue(), queue.LifoQueue(), queue.PriorityQueue()):
    for i in range(9):
        q.put(([3, 1, 2][i % 3], i) if isinstance(q, queue.PriorityQueue) else i)
    print(type(q).__name__, [q.get()[1] if isinstance(q, queue.PriorityQueue) else q.get() for _ in range(9)])

work = queue.Queue(maxsize=4)                        # the producer blocks when it is full
STOP = None


def consumer():
    while (item := work.get()) is not STOP:
        time.sleep(0.01)
        work.task_done()
    work.task_done()


workers = [threading.Thread(target=consumer) for _ in range(2)]
for w in workers:
    w.start()
for i in range(24):
    work.put(i)
work.join()                                          # every task_done() is in
for _ in workers:
    work.put(STOP)                                   # one sentinel per worker
for w in workers:
    w.join()
print("all handled, pool stopped")
