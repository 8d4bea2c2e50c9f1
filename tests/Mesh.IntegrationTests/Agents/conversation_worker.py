# A test agent that keeps per-conversation context in memory, as a chat agent would. It watches its inbox; for each
# message it appends the payload to its context of that conversation and writes one JSON line to WORK_LOG (under a
# lock): who it is, the conversation, how many messages of it this process has seen, the payload and any affinity
# notice. It acks what it handled whenever the inbox is quiet for a moment (one actor call per burst, not per message).
# A conversation whose messages all reach one process has context lengths 1, 2, 3, ...
import fcntl, json, os, select, subprocess, sys

actor = json.loads(os.environ["ACTOR_ARGV"])
log, me = os.environ["WORK_LOG"], os.environ["MESH_ACTOR_ID"]
context, unacked, buffer = {}, [], b""
watch = subprocess.Popen(actor + ["inbox", "--watch", "--json"], stdout=subprocess.PIPE)
fd = watch.stdout.fileno()
while True:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        if unacked:
            subprocess.run(actor + ["ack"] + [a for i in unacked for a in ("--message-id", str(i))], check=True, capture_output=True)
            unacked = []
        continue
    chunk = os.read(fd, 65536)
    if not chunk:
        sys.exit(1)
    buffer += chunk
    *lines, buffer = buffer.split(b"\n")
    for line in lines:
        m = json.loads(line)
        conversation = m.get("conversation_id") or ""
        context.setdefault(conversation, []).append(m["payload"])
        record = {"me": me, "conversation": conversation, "seen": len(context[conversation]), "payload": m["payload"], "notice": m.get("affinity_notice") or ""}
        with open(log, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(json.dumps(record) + "\n")
            f.flush()
        unacked.append(m["id"])
