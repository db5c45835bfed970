"""Barrier: nobody starts phase p+1 before everyone finished phase p; a timeout breaks it."""
import random
import threading
import time

log = []


def worker(name, barrier, phases=3, straggle=0.0):
    for phase in range(phases):
        time.sleep(random.uniform(0.01, 0.03) + (straggle if phase == phases - 1 else 0))
        log.append((phase, "done", name))
        try:
            barrier.wait(timeout=0.15)
        except threading.BrokenBarrierError:
            log.append((phase, "broken", name))
            return


def run(straggler):
    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=worker, args=(f"w{i}", barrier),
                                kwargs={"straggle": 0.4 if straggler and i == 3 else 0.0})
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    run(straggler=False)
    phases = [p for p, what, _ in log if what == "done"]
    assert phases == sorted(phases), "a phase started before the previous one ended"
    print("in order:", phases)
    log.clear()
    run(straggler=True)
    print("broken for:", sorted(name for _, what, name in log if what == "broken"))
