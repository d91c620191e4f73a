"""Run one command; print its wall time (ms), peak RSS (KiB) and exit code.

    python -I -S bench/spawn_child.py STDOUT_FILE STDERR_FILE PROGRAM [ARG...]

The command's stdin is /dev/null and its environment is this process's. Kept tiny on purpose,
and run in its own small process: Linux counts the RSS of the process that forks (and, for
vfork/posix_spawn, its high-water mark) into the child's ``ru_maxrss``, so a big parent would
inflate every figure. The floor this leaves is what ``/bin/true`` shows when measured this way;
run.py reports it.
"""

import os
import sys
import time


def main() -> int:
    out_path, err_path, *argv = sys.argv[1:]
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        try:
            fd = os.open("/dev/null", os.O_RDONLY)
            os.dup2(fd, 0)
            fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 2)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - t0
    sys.stdout.write(
        f"{elapsed * 1000:.3f} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
