"""A thread's life: join(timeout), Timers armed and cancelled, Event.clear(), queue.Empty,
threading.local, and what the program waits for at exit (non-daemon) and cuts off (daemon)."""
import queue
import threading
import time

job = threading.Thread(target=time.sleep, args=(0.12,), name="job")
job.start()
job.join(timeout=0.04)                               # returns first: the job still runs
print(job.name, "alive after join(timeout):", job.is_alive())
job.join()

calls = []
once = threading.Timer(0.06, calls.append, args=("once fired",))
never = threading.Timer(0.06, calls.append, args=("cancelled one fired",))
once.start()
never.start()                                        # armed: its thread is waiting now
never.cancel()                                       # before its deadline: never called
once.join()
never.join()
print(calls)                                         # ['once fired']

ev = threading.Event()
threading.Timer(0.025, ev.set).start()
print("first wait:", ev.wait(timeout=0.05))          # True: set in time
ev.clear()
print("after clear():", ev.wait(timeout=0.05))       # False: nobody sets it again

q = queue.Queue()
q.put(7)
print("got", q.get(timeout=0.03))
try:
    q.get(timeout=0.03)                              # the queue is empty now
except queue.Empty:
    print("q.get(timeout=0.03) raised queue.Empty")

local = threading.local()


def heartbeat():                                     # a daemon: no end of its own
    local.beats = 0
    while True:
        local.beats += 1
        time.sleep(0.001)


def normal_task(n):                                  # non-daemon: the program waits for it
    local.count = 0
    for _ in range(n):
        local.count += 1
    time.sleep(0.08)
    print(threading.current_thread().name, "counted", local.count)


threading.Thread(target=heartbeat, name="heartbeat", daemon=True).start()
threading.Thread(target=normal_task, args=(1000,), name="normal").start()
print("main code ends: exit waits for 'normal', then cuts 'heartbeat' off")
