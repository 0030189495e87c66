"""Where a command's CPU goes, over every thread: a sampling profiler for
``llm-router`` commands (cProfile sees the main thread only, and the request path's
embedding, cache lookup and storage calls run in worker threads; py-spy is not in the venv).

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/thread_sampler.py --out /tmp/s.json \\
        -- bench --router-only --requests 1000 --out /tmp/b
    .venv/bin/python bench/thread_sampler.py --report /tmp/s.json

Every ``--interval`` seconds it reads each thread's Python stack and, from
``/proc/self/task/<id>/stat``, whether the thread is running or runnable (state R): only
those samples count, so a thread blocked on a lock, a queue or a socket adds nothing. A
runnable thread may be waiting for a core on a loaded machine, so shares, not seconds,
are the reading. Each sample counts once for its innermost function (self) and once for
every distinct function on its stack (inclusive). Linux only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import runpy
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _name(frame: FrameType) -> str:
    code = frame.f_code
    path = Path(code.co_filename)
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{where}:{code.co_name}"


def _running(native_id: int) -> bool:
    try:
        stat = Path(f"/proc/self/task/{native_id}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] == "R"


class Sampler:
    def __init__(self, interval_s: float):
        self.interval_s = interval_s
        self.own: Counter[str] = Counter()
        self.inclusive: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval_s):
            native = {t.ident: t.native_id for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                nid = native.get(ident)
                if ident == me or nid is None or not _running(nid):
                    continue
                self.samples += 1
                self.own[_name(frame)] += 1
                seen: set[str] = set()
                at: FrameType | None = frame
                while at is not None:
                    seen.add(_name(at))
                    at = at.f_back
                self.inclusive.update(seen)

    def result(self, cpu_s: float) -> dict[str, Any]:
        return {"samples": self.samples, "interval_s": self.interval_s, "cpu_s": round(cpu_s, 2),
                "self": self.own.most_common(60), "inclusive": self.inclusive.most_common(200)}


def report(data: dict[str, Any], top: int) -> str:
    n = max(1, data["samples"])
    lines = [f"{data['samples']} samples, {data['cpu_s']} s CPU in the process"]
    for title, key in (("inclusive", "inclusive"), ("self", "self")):
        lines.append(f"-- {title}")
        lines += [f"{100 * count / n:5.1f} %  {name}" for name, count in data[key][:top]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the samples here (JSON)")
    parser.add_argument("--report", type=Path, help="print a saved run's shares and exit")
    parser.add_argument("--interval", type=float, default=0.003, help="seconds (0.003)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("command", nargs="*", help="llm-router's arguments, after --")
    args = parser.parse_args()
    if args.report:
        print(report(json.loads(args.report.read_text()), args.top))
        return 0
    entry = Path(sys.executable).with_name("llm-router")
    sys.argv = [str(entry), *args.command]
    started = time.process_time()
    # The command's exit status is not the sampler's.
    with Sampler(args.interval) as sampler, contextlib.suppress(SystemExit):
        runpy.run_path(str(entry), run_name="__main__")
    data = sampler.result(time.process_time() - started)
    if args.out:
        args.out.write_text(json.dumps(data, indent=0) + "\n")
    print(report(data, args.top), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
