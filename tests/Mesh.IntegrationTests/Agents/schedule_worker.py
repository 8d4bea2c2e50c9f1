# A test agent that honours schedule idempotency keys. It watches its inbox; for each message it "works" for
# WORK_SECONDS, then, under a lock on WORK_LOG, writes "<key> <actor>" unless the key is already there (MODE=single)
# or always (MODE=cluster), then acks. A run killed while working leaves no line, so a redelivery does the work.
import fcntl, json, os, subprocess, sys, time

actor = json.loads(os.environ["ACTOR_ARGV"])
log, me, mode = os.environ["WORK_LOG"], os.environ["MESH_ACTOR_ID"], os.environ.get("MODE", "single")
work = float(os.environ.get("WORK_SECONDS", "0"))
watch = subprocess.Popen(actor + ["inbox", "--watch", "--json"], stdout=subprocess.PIPE, text=True)
for line in watch.stdout:
    m = json.loads(line)
    key = m.get("idempotency_key") or ""
    time.sleep(work)
    with open(log, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        seen = any(l.split(" ")[0] == key for l in f.read().splitlines())
        if mode == "cluster" or not seen:
            f.write(f"{key} {me}\n")
            f.flush()
    subprocess.run(actor + ["ack", "--message-id", str(m["id"])], check=True, capture_output=True)
sys.exit(1)
