#!/usr/bin/env python3
# Drives a command through a real pseudo-terminal, as a person at a terminal
# would: each step either sends keys or waits for a regular expression in
# the output. Prints one JSON object: the transcript, the exit code, and the
# step that timed out, if any. Used by the interactive (-it) engine tests.
# usage: ptydrive.py STEPS_JSON COMMAND [ARG...]
#   STEPS_JSON: [{"expect": "regex", "timeout": 10}, {"send": "hostname\r"}, ...]
#   {"resize": [rows, cols]} sets the terminal's size (the command gets SIGWINCH).
import fcntl, json, os, pty, re, select, struct, sys, termios, time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

out = b''
def read_for(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], min(0.05, max(0, end - time.time())))
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the command exited and closed the terminal
            return False
        if not data:
            return False
        out += data
        yield
    return True

failed = None
pos = 0  # expectations match after the previous match, in order
for i, step in enumerate(steps):
    if 'send' in step:
        os.write(fd, step['send'].encode())
    elif 'resize' in step:
        rows, cols = step['resize']
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    elif 'expect' in step:
        pattern = re.compile(step['expect'].encode())
        found = pattern.search(out, pos)
        if not found:
            for _ in read_for(step.get('timeout', 10)):
                found = pattern.search(out, pos)
                if found:
                    break
        if not found:
            failed = i
            break
        pos = found.end()

# Let the command finish (it should, after the last step); then collect it.
deadline = time.time() + 15
status = None
while time.time() < deadline:
    for _ in read_for(0.1):
        pass
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
        break
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(json.dumps({'transcript': out.decode('utf-8', 'replace'), 'exitCode': status, 'failedStep': failed}))
