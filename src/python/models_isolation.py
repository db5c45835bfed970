"""Threads share the interpreter's memory; each process has its own copy."""
import threading
from multiprocessing import Process, Value

counter = 0


def bump(n=1000):
    global counter
    for _ in range(n):
        counter += 1


def bump_shared(v, n=1000):
    with v.get_lock():
        v.value += n


if __name__ == "__main__":
    threads = [threading.Thread(target=bump) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("after threads:", counter)                 # 2000: same memory

    procs = [Process(target=bump) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("after processes:", counter)               # still 2000: they changed their copies

    shared = Value("i", 0)                           # sharing needs an explicit shared object
    procs = [Process(target=bump_shared, args=(shared,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("shared Value:", shared.value)
