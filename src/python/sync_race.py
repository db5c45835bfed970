"""A race condition: `counter += 1` from several threads loses updates without a lock.

`counter += 1` is a read, an add and a write; a thread switch between the read and the write
lets another thread's update be overwritten. The GIL does not prevent it: it only switches
threads between bytecodes, and this statement is several bytecodes. Work between the read and
the write (`window` loop steps of it) widens the gap a switch can land in: with it, the race
shows at the default switch interval. The lock holds the same work, so the two are compared
fairly.
"""
import threading

counter = 0
lock = threading.Lock()


def unsafe_add(n, window):
    global counter
    for _ in range(n):
        x = counter              # read
        for _ in range(window):  # work between the read and the write: CPython may hand
            pass                 # the GIL to another thread here
        counter = x + 1          # write: another thread may have written in between


def safe_add(n, window):
    global counter
    for _ in range(n):
        with lock:               # one thread at a time through read-work-write
            x = counter
            for _ in range(window):
                pass
            counter = x + 1


def run(target, workers=2, n=100_000, window=5):
    global counter
    counter = 0
    threads = [threading.Thread(target=target, args=(n, window)) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter


if __name__ == "__main__":
    expected = 2 * 100_000
    unsafe = run(unsafe_add)
    safe = run(safe_add)
    assert safe == expected
    print(f"without a lock: {unsafe} of {expected} ({expected - unsafe} lost); with a lock: {safe}")
