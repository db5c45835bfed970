"""A race condition: `counter += 1` from several threads loses updates without a lock.

`counter += 1` is a read, an add and a write; a thread switch between the read and the write
lets another thread's update be overwritten. The GIL does not prevent it: it only switches
threads between bytecodes, and this statement is several bytecodes.
"""
import sys
import threading

counter = 0
lock = threading.Lock()


def pause():
    """A call: CPython may hand the GIL to another thread here."""


def unsafe_add(n):
    global counter
    for _ in range(n):
        value = counter          # read
        pause()                  # (real code does real work here)
        counter = value + 1      # write: another thread may have written in between


def safe_add(n):
    global counter
    for _ in range(n):
        with lock:               # one thread at a time through read-modify-write
            counter += 1


def run(target, workers=2, n=100_000):
    global counter
    counter = 0
    threads = [threading.Thread(target=target, args=(n,)) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter


if __name__ == "__main__":
    sys.setswitchinterval(1e-6)  # switch threads very often, so the race shows quickly
    expected = 2 * 100_000
    unsafe = run(unsafe_add)
    safe = run(safe_add)
    assert safe == expected
    print(f"without a lock: {unsafe} of {expected} ({expected - unsafe} lost); with a lock: {safe}")
