"""Deadlock: two threads take two locks in opposite order. Then two fixes."""
import random
import threading

a, b = threading.Lock(), threading.Lock()
met = threading.Barrier(2)


def opposite(first, second, name, result):
    with first:
        met.wait()                                   # both now hold one lock each
        if second.acquire(timeout=0.2):              # plain `with second:` would wait forever
            second.release()
            result[name] = "finished"
        else:
            result[name] = "deadlocked (gave up after 0.2 s)"


def ordered(name, result):
    with a:                                          # fix 1: everyone takes A before B
        with b:
            result[name] = "finished"


def with_backoff(first, second, name, result):
    while True:                                      # fix 2: timed acquire, let go, back off
        with first:
            if second.acquire(timeout=0.01):
                second.release()
                result[name] = "finished"
                return
        threading.Event().wait(random.uniform(0.001, 0.01))


def run(targets):
    result = {}
    threads = [threading.Thread(target=f, args=args + (result,)) for f, args in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result


if __name__ == "__main__":
    print("opposite:", run([(opposite, (a, b, "t0")), (opposite, (b, a, "t1"))]))
    print("ordered: ", run([(ordered, ("t0",)), (ordered, ("t1",))]))
    print("back-off:", run([(with_backoff, (a, b, "t0")), (with_backoff, (b, a, "t1"))]))
