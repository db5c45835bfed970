"""concurrent.futures: submit, cancel (only before start), as_completed, map, wait, callbacks."""
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait


def work(i, seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:     # CPU work (a thread pool, like the playground's)
        pass
    return i


sizes = [0.06, 0.03, 0.09, 0.045, 0.03, 0.06]

with ThreadPoolExecutor(max_workers=2) as ex:
    fs = [ex.submit(work, i, s) for i, s in enumerate(sizes)]
    print("cancel last:", fs[-1].cancel(), "cancel first:", fs[0].cancel())   # True, False
    print("as_completed:", [f.result() for f in as_completed(f for f in fs if not f.cancelled())])
    print("map:", list(ex.map(work, range(6), sizes)))                          # input order
    trio = [ex.submit(work, i, s) for i, s in enumerate(sizes[:3])]
    done, pending = wait(trio, return_when=FIRST_COMPLETED)
    print("first completed:", [f.result() for f in done], "pending:", len(pending))

    def parse(f):
        ex.submit(work, "parse", 0.01).add_done_callback(store)

    def store(f):
        ex.submit(work, "store", 0.005).add_done_callback(lambda f: print("chain done:", f.result()))

    ex.submit(work, "fetch", 0.02).add_done_callback(parse)
    time.sleep(0.1)
