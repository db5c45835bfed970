"""A thread's life: join(timeout), is_alive, daemon threads, Timer, threading.local."""
import threading
import time

job = threading.Thread(target=time.sleep, args=(0.12,), name="job")
job.start()
job.join(timeout=0.04)
print(job.name, job.ident is not None, "alive after join(timeout):", job.is_alive())
job.join()

def forever():
    while True:                                      # background work with no end of its own
        time.sleep(0.001)


background = threading.Thread(target=forever, daemon=True)
background.start()                                   # a daemon is cut off when the program ends

calls = []
once = threading.Timer(0.06, calls.append, args=("fired",))
never = threading.Timer(0.03, calls.append, args=("cancelled one fired",))
once.start()
never.start()
never.cancel()                                       # cancel() before it is due: never called
once.join()
print(calls)

local = threading.local()


def count(n):
    local.value = 0
    for _ in range(n):
        local.value += 1
    print(threading.current_thread().name, local.value)


for n in (1, 2):
    t = threading.Thread(target=count, args=(n * 1000,))
    t.start()
    t.join()
