"""The client side of the sync benchmark, in a process of its own so that its peak memory is
its own: signs in, then syncs the backlog, then makes "nothing new" syncs. Between phases it
prints one JSON line and waits for a line on standard input (the benchmark reads the byte
counters of its relay meanwhile).

    python bench/sync_client.py --db PATH --server URL --login NIP --password P --new-password Q
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say(**values: object) -> None:
    sys.stdout.write(json.dumps(values) + "\n")
    sys.stdout.flush()
    sys.stdin.readline()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--new-password", required=True)
    p.add_argument("--empty-syncs", type=int, default=5)
    args = p.parse_args()

    from pathlib import Path

    from wfh_desktop.clock import SystemClock
    from wfh_desktop.profile import Profile
    from wfh_desktop.sync.client import SyncClient

    profile = Profile.open(Path(args.db), SystemClock())
    pending = profile.conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'")
    backlog = pending.fetchone()[0]
    client = SyncClient(profile, server_url=args.server)
    say(phase="ready", rss_mib=rss_mib(), backlog=backlog)

    t0 = time.perf_counter()
    client.sign_in(args.login, args.password, new_password=args.new_password)
    say(phase="signed_in", seconds=time.perf_counter() - t0, rss_mib=rss_mib())

    t0 = time.perf_counter()
    profiled = os.environ.get("WFH_BENCH_CPROFILE")  # a file: the backlog's sync, profiled
    if profiled:
        import cProfile

        with cProfile.Profile() as prof:
            report = client.sync()
        prof.dump_stats(profiled)
    else:
        report = client.sync()
    seconds = time.perf_counter() - t0
    say(
        phase="backlog",
        seconds=seconds,
        pushed=report.pushed,
        rejected=report.rejected,
        pulled=report.pulled,
        requests=report.requests,
        rss_mib=rss_mib(),
    )

    for i in range(args.empty_syncs):
        t0 = time.perf_counter()
        report = client.sync()
        say(
            phase=f"empty{i}",
            seconds=time.perf_counter() - t0,
            requests=report.requests,
            pushed=report.pushed,
            pulled=report.pulled,
        )
    left = profile.conn.execute("SELECT count(*) FROM outbox WHERE status != 'acked'")
    say(phase="end", not_acked=left.fetchone()[0], rss_mib=rss_mib())
    client.close()
    profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
