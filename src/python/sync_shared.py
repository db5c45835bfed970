"""Processes share nothing unless handed shared memory: multiprocessing.Value, with its lock."""
from multiprocessing import Process, Value


def bump(counter, n, locked):
    for _ in range(n):
        if locked:
            with counter.get_lock():                 # the lock that lives with the value
                counter.value += 1
        else:
            counter.value += 1                       # read, add, write: updates can be lost


if __name__ == "__main__":
    for locked in (False, True):
        counter = Value("i", 0)
        procs = [Process(target=bump, args=(counter, 50_000, locked)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        print("with lock" if locked else "no lock", counter.value, "of", 100_000)
