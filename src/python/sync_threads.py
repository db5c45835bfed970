"""Creating and inspecting threads: targets with args and kwargs, a Thread subclass, names,
ident and native_id, current_thread(), main_thread(), active_count(), enumerate(); a thread
whose run() raises; and what starting a worker costs against reusing one."""
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

results = {}                                         # a thread has no return value: a slot


def work(index, wait=0.04):
    me = threading.current_thread()
    assert threading.main_thread().name == "MainThread" and me.name == f"worker-{index}"
    results[me.name] = sum(range((index + 1) * 1000))
    time.sleep(wait)


class Countdown(threading.Thread):
    def __init__(self, index):
        super().__init__(name=f"Countdown-{index}")
        self.start_from = (index + 1) * 1000

    def run(self):                                   # the subclass's own run()
        n = self.start_from
        while n > 0:
            n -= 1
        time.sleep(0.12)
        raise ValueError("countdown failed")         # escapes run(): the thread dies


heard = []
threading.excepthook = lambda args: heard.append((args.thread.name, repr(args.exc_value)))

threads = [
    threading.Thread(target=work, args=(0,), name="worker-0"),
    threading.Thread(target=work, kwargs={"index": 1, "wait": 0.08}, name="worker-1"),
    Countdown(2),
]
print("before start():", threads[0].ident, threading.active_count(), threading.enumerate())
for t in threads:
    t.start()                                        # returns once the thread runs
    print(t.name, "ident", t.ident, "native_id", t.native_id, "active", threading.active_count())
    time.sleep(0.015)
print([t.name for t in threading.enumerate()])
for t in threads:
    t.join()                                         # returns for the failing one too
print("after join():", threading.active_count(), results, "excepthook heard:", heard)


def nothing():
    return None


def timed(submit, n=3):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        submit().result()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[n // 2]


if __name__ == "__main__":
    with ThreadPoolExecutor(1) as pool:
        pool.submit(nothing).result()                # started once, then reused
        print(f"reused thread: {timed(lambda: pool.submit(nothing)):.3f} ms")
    with ProcessPoolExecutor(1) as pool:
        pool.submit(nothing).result()
        print(f"reused process: {timed(lambda: pool.submit(nothing)):.3f} ms")

    def fresh_thread():
        t = threading.Thread(target=nothing)
        t.start()
        t.join()

    t0 = time.perf_counter()
    fresh_thread()
    print(f"fresh thread: {(time.perf_counter() - t0) * 1000:.3f} ms")
    t0 = time.perf_counter()
    with ProcessPoolExecutor(1) as fresh:
        fresh.submit(nothing).result()
    print(f"fresh process: {(time.perf_counter() - t0) * 1000:.3f} ms")
