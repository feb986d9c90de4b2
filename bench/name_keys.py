"""``name_key`` (a partner name's comparison key) per name, against plain case folding.

    python -m bench.name_keys [--quick] [--names N]

Every name is distinct (a cache cannot help: the cost of a miss), a long legal-form name as
registrations bring them (``Общество с ограниченной ответственностью «Торговый дом ...»``).
Rounds alternate between ``name_key`` and the baseline, ``" ".join(name.casefold().split())``,
so a change in the machine's load hits both alike; the best round of each is reported. This was
a unit test's wall-clock assertion (under 20 µs per name); a benchmark is where a speed figure
belongs.

The last line is one JSON object: ``name_key_us`` and ``baseline_us`` (best round, microseconds
per name) and ``ratio``.
"""

from __future__ import annotations

import argparse
import time

from bench._common import finish, progress, report_machine
from services.partners.domain.names import name_key

NAMES, QUICK_NAMES = 30_000, 3_000
ROUNDS = 5


def baseline(name: str) -> str:
    return " ".join(name.casefold().split())


def per_name_us(function, names: list[str]) -> float:
    started = time.perf_counter()
    for name in names:
        function(name)
    return (time.perf_counter() - started) / len(names) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.name_keys", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_NAMES} names")
    parser.add_argument("--names", type=int, help=f"distinct names per round (default {NAMES}, quick {QUICK_NAMES})")
    args = parser.parse_args(argv)
    count = args.names or (QUICK_NAMES if args.quick else NAMES)
    machine = report_machine("before")
    keyed, folded = [], []
    for round_no in range(ROUNDS):
        # Fresh names every round: name_key may cache what it has seen.
        names = [f"Общество с ограниченной ответственностью «Торговый дом Ромашка-{round_no}-{i}»" for i in range(count)]
        keyed.append(per_name_us(name_key, names))
        folded.append(per_name_us(baseline, names))
        progress(f"round {round_no + 1}: name_key {keyed[-1]:.2f} µs, baseline {folded[-1]:.2f} µs per name")
    best_key, best_base = min(keyed), min(folded)
    finish({
        "names": count, "rounds": ROUNDS, "name_key_us": round(best_key, 2), "baseline_us": round(best_base, 2),
        "ratio": round(best_key / best_base, 1), "loadavg_1m": machine["loadavg_1m"],
    })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
