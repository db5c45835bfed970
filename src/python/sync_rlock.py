"""RLock lets its owner in again; a plain Lock would block its own holder forever."""
import threading
import time

rlock, lock = threading.RLock(), threading.Lock()


def walk(l, depth):
    if not l.acquire(timeout=0.05):                  # a timeout instead of hanging forever
        return f"stuck at level {depth}"
    try:
        return walk(l, depth - 1) if depth > 1 else "reached the bottom"
    finally:
        l.release()


print("RLock:", walk(rlock, 5))
print("Lock: ", walk(lock, 5))

held = threading.Lock()


def holder():
    with held:
        time.sleep(0.06)


t = threading.Thread(target=holder)
t.start()
time.sleep(0.01)
print("acquire(blocking=False):", held.acquire(blocking=False))
print("acquire(timeout=0.02):", held.acquire(timeout=0.02))
t.join()
