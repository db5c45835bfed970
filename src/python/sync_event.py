"""Event: a "service ready" gate, a wait with timeout, a "stop" signal."""
import threading
import time

ready, stop = threading.Event(), threading.Event()


def service():
    time.sleep(0.08)                                 # starting up
    ready.set()
    time.sleep(0.1)
    stop.set()


def worker(i, rounds):
    if i == 0:
        print("wait(timeout=0.03) ->", ready.wait(timeout=0.03))   # False: not ready yet
    ready.wait()
    n = 0
    while not stop.is_set():
        time.sleep(0.001)
        n += 1
    rounds.append(n)


rounds = []
threads = [threading.Thread(target=service)] + [threading.Thread(target=worker, args=(i, rounds)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("work rounds before stop:", rounds)
