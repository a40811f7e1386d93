"""How far off is the wait shown on a new ticket? A discrete-event simulation (simpy) of
centre days, with the estimate computed at every arrival by the platform's own function,
onestop.queueing.estimator.estimate_minutes, from what the queue holds at that moment:
the people waiting for the windows that serve the service (priority visitors count only
priority ones ahead), those at these windows, the last 50 times at the window for the
service, and the windows open. The error is the estimate minus the time until the visitor
was actually called.

    .venv/bin/python bench/wait_estimate.py --days 30 --out /tmp/wait.json

The model, chosen to look like a Public Service Centre day:
- open 9:00-20:00; arrivals are Poisson with an hourly rate peaking 10-12 and 15-17,
  busier on Mondays and quieter on Saturdays, about 36 visitors a window a day;
- 12 services in 6 groups, each with a lognormal time at the window (mean 5 to 20
  minutes); 8% of visitors have priority; 4% do not come when called;
- 4, 6 or 8 windows, each serving some groups; each window closes for an hour's lunch
  (staggered 12-15), every fourth window closes at 18:00, and a called visitor takes
  0.3-1.2 minutes to reach the window;
- the kiosk stops issuing at 20:00 and the windows open then serve whoever still waits;
- history of service times carries over from one day to the next.
Two naive estimators are measured alongside: people ahead x 10 minutes, and people ahead
x 10 minutes / open windows.
"""

import argparse
import json
import math
import random
import statistics
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

try:
    import simpy
except ImportError:
    sys.exit("simpy is missing: .venv/bin/pip install -r bench/requirements.txt")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from onestop.queueing.estimator import (
    RECENT_VISITS,
    Ahead,
    estimate_minutes,
    mean_service_minutes,
    share,
)

OPENS, CLOSES = 9 * 60, 20 * 60
# Share of the day's visitors arriving in each hour from 9:00 to 19:00.
HOURLY = [0.06, 0.12, 0.13, 0.09, 0.07, 0.08, 0.12, 0.12, 0.09, 0.07, 0.05]
WEEKDAY_FACTOR = [1.2, 1.05, 1.0, 1.0, 0.95, 0.7]  # Monday to Saturday
VISITORS_PER_WINDOW = 36
PRIORITY_SHARE = 0.08
NO_SHOW_SHARE = 0.04

# group: (share of visitors, mean minutes at the window, coefficient of variation, services)
GROUPS = {
    "identity": (0.30, 12.0, 0.5, ["identity-card", "passport"]),
    "civil": (0.14, 15.0, 0.6, ["birth-registration", "marriage-registration"]),
    "property": (0.14, 20.0, 0.6, ["real-estate-registration", "land-registration"]),
    "certificates": (0.20, 5.0, 0.5, ["address-certificate", "pension-contributions-certificate"]),
    "social": (0.13, 14.0, 0.6, ["child-birth-benefit", "retirement-pension"]),
    "transport": (0.09, 10.0, 0.5, ["driving-licence", "vehicle-registration"]),
}
ALL = list(GROUPS)
LAYOUTS = {
    4: [
        ["identity", "transport"],
        ["identity", "certificates", "social"],
        ["civil", "social", "certificates"],
        ["property", "certificates"],
    ],
    6: [
        ["identity", "transport"],
        ["identity", "transport"],
        ["identity", "certificates"],
        ["civil", "social"],
        ["property"],
        ALL,
    ],
    8: [
        ["identity", "transport"],
        ["identity", "transport"],
        ["identity", "transport"],
        ["identity", "certificates"],
        ["civil", "social"],
        ["social", "certificates"],
        ["property"],
        ALL,
    ],
}


@dataclass
class Visitor:
    service: str
    group: str
    priority: bool
    arrived: float
    seq: int
    estimate: float = 0.0
    ahead: int = 0
    open_windows: int = 0
    previous: float = 0.0
    called: float | None = None


@dataclass
class Window:
    number: int
    groups: list[str]
    shifts: list[tuple[float, float]]
    services: set[str] = field(default_factory=set)
    visitor: Visitor | None = None

    def scheduled(self, now: float) -> bool:
        return any(start <= now < end for start, end in self.shifts)

    def next_change(self, now: float) -> float:
        edges = [t for shift in self.shifts for t in shift if t > now]
        return min(edges) if edges else math.inf

    @property
    def until_closing(self) -> bool:
        return self.shifts[-1][1] >= CLOSES


def service_minutes(rng: random.Random, group: str) -> float:
    _share, mean, cv, _services = GROUPS[group]
    sigma2 = math.log(1 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


class Centre:
    def __init__(self, env, rng: random.Random, windows: list[Window], history: dict):
        self.env, self.rng, self.windows, self.history = env, rng, windows, history
        self.waiting: list[Visitor] = []
        self.done: list[Visitor] = []
        self.wake = env.event()
        for window in windows:
            window.services = {s for g in window.groups for s in GROUPS[g][3]}
        # As estimate_wait reads it: the windows serving a service, and every service
        # those windows serve.
        self.windows_for = {
            s: [w for w in windows if s in w.services] for g in ALL for s in GROUPS[g][3]
        }
        self.served_with = {
            s: set().union(*(w.services for w in ws)) for s, ws in self.windows_for.items()
        }

    def is_open(self, window: Window) -> bool:
        now = self.env.now
        if window.scheduled(now):
            return True
        # After closing time the windows open until then serve whoever still waits.
        return now >= CLOSES and window.until_closing and self.next_for(window) is not None

    def notify(self) -> None:
        wake, self.wake = self.wake, self.env.event()
        wake.succeed()

    def next_for(self, window: Window) -> Visitor | None:
        mine = [v for v in self.waiting if v.service in window.services]
        if not mine:
            return None
        return min(mine, key=lambda v: (not v.priority, v.arrived, v.seq))

    def arrive(self, visitor: Visitor) -> None:
        windows = self.windows_for[visitor.service]
        served = self.served_with[visitor.service]
        ahead = [v for v in self.waiting if v.service in served]
        if visitor.priority:
            ahead = [v for v in ahead if v.priority]
        mine = {w.number for w in windows}
        open_now = {w.number for w in self.windows if self.is_open(w)}
        visitor.ahead = len(ahead)
        visitor.open_windows = len(mine & open_now)
        by_service: dict[str, int] = {}
        for other in ahead:
            by_service[other.service] = by_service.get(other.service, 0) + 1
        groups = []
        for service, count in by_service.items():
            theirs = {w.number for w in self.windows_for[service]}
            groups.append(Ahead(count, share(theirs, theirs & open_now, mine), self.mean(service)))
        visitor.estimate = estimate_minutes(
            groups,
            [self.mean(w.visitor.service) for w in windows if w.visitor is not None],
            visitor.open_windows,
        )
        visitor.previous = self.previous_estimate(visitor, windows)
        self.waiting.append(visitor)
        self.notify()

    def mean(self, service: str) -> float:
        return mean_service_minutes(list(self.history[service]))

    def previous_estimate(self, visitor: Visitor, windows: list[Window]) -> float:
        """The estimator before November 2026, for comparison: everyone ahead at this
        service's mean time, over this service's open windows."""
        at_windows = sum(1 for w in windows if w.visitor is not None)
        minutes = self.mean(visitor.service)
        return round((visitor.ahead + 0.5 * at_windows) * minutes / max(visitor.open_windows, 1), 1)

    def work(self, window: Window):
        env = self.env
        while True:
            if env.now >= CLOSES and not self.waiting:
                return
            if not self.is_open(window):
                change = window.next_change(env.now)
                if change == math.inf:
                    return
                yield env.timeout(change - env.now)
                continue
            visitor = self.next_for(window)
            if visitor is None:
                change = window.next_change(env.now)
                waits = [self.wake]
                if change != math.inf:
                    waits.append(env.timeout(change - env.now))
                yield simpy.AnyOf(env, waits)
                continue
            self.waiting.remove(visitor)
            visitor.called = env.now
            self.done.append(visitor)
            window.visitor = visitor
            if self.rng.random() < NO_SHOW_SHARE:
                yield env.timeout(1.0)
            else:
                yield env.timeout(self.rng.uniform(0.3, 1.2))
                minutes = service_minutes(self.rng, visitor.group)
                yield env.timeout(minutes)
                self.history[visitor.service].append(minutes)
            window.visitor = None

    def arrivals(self, total: float):
        env, rng = self.env, self.rng
        shares = [GROUPS[g][0] for g in ALL]
        seq = 0
        for hour, part in enumerate(HOURLY):
            start, end = OPENS + 60 * hour, OPENS + 60 * (hour + 1)
            rate = total * part / 60  # per minute
            if env.now < start:
                yield env.timeout(start - env.now)
            while True:
                gap = rng.expovariate(rate)
                if env.now + gap >= end:
                    yield env.timeout(end - env.now)
                    break
                yield env.timeout(gap)
                group = rng.choices(ALL, shares)[0]
                seq += 1
                self.arrive(
                    Visitor(
                        service=rng.choice(GROUPS[group][3]),
                        group=group,
                        priority=rng.random() < PRIORITY_SHARE,
                        arrived=env.now,
                        seq=seq,
                    )
                )


def shifts(number: int) -> list[tuple[float, float]]:
    lunch = 12 * 60 + 60 * ((number - 1) % 3)
    closes = 18 * 60 if number % 4 == 0 else CLOSES
    return [(OPENS, lunch), (lunch + 60, closes)]


def simulate_day(rng: random.Random, size: int, weekday: int, history: dict) -> list[Visitor]:
    env = simpy.Environment(initial_time=OPENS)
    windows = [
        Window(number=i + 1, groups=groups, shifts=shifts(i + 1))
        for i, groups in enumerate(LAYOUTS[size])
    ]
    centre = Centre(env, rng, windows, history)
    total = VISITORS_PER_WINDOW * size * WEEKDAY_FACTOR[weekday]
    env.process(centre.arrivals(total))
    for window in windows:
        env.process(centre.work(window))
    env.run()
    return centre.done


def summary(errors: list[float]) -> dict:
    absolute = sorted(abs(e) for e in errors)
    return {
        "mae": round(statistics.fmean(absolute), 1),
        "median_ae": round(statistics.median(absolute), 1),
        "p90_ae": round(absolute[int(0.9 * (len(absolute) - 1))], 1),
        "bias": round(statistics.fmean(errors), 1),
    }


ESTIMATORS = {
    "estimate_wait": lambda v: v.estimate,
    "previous estimate_wait": lambda v: v.previous,
    "ahead x 10 min": lambda v: v.ahead * 10.0,
    "ahead x 10 min / open windows": lambda v: v.ahead * 10.0 / max(v.open_windows, 1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30, help="simulated days per centre size")
    parser.add_argument("--windows", default="4,6,8", help="centre sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()

    rows, everyone = [], []
    for size in [int(s) for s in args.windows.split(",")]:
        if size not in LAYOUTS:
            sys.exit(f"no window layout for {size} windows (have {sorted(LAYOUTS)})")
        rng = random.Random(args.seed * 1000 + size)
        history: dict = {s: deque(maxlen=RECENT_VISITS) for g in ALL for s in GROUPS[g][3]}
        visitors: list[Visitor] = []
        for day in range(args.days):
            visitors += simulate_day(rng, size, day % 6, history)
        everyone += visitors
        waits = [v.called - v.arrived for v in visitors]
        for name, estimator in ESTIMATORS.items():
            rows.append(
                {
                    "windows": size,
                    "estimator": name,
                    "visitors": len(visitors),
                    "mean_wait": round(statistics.fmean(waits), 1),
                    **summary([estimator(v) - (v.called - v.arrived) for v in visitors]),
                }
            )
    waits = [v.called - v.arrived for v in everyone]
    for name, estimator in ESTIMATORS.items():
        rows.append(
            {
                "windows": "all",
                "estimator": name,
                "visitors": len(everyone),
                "mean_wait": round(statistics.fmean(waits), 1),
                **summary([estimator(v) - (v.called - v.arrived) for v in everyone]),
            }
        )

    print(f"{args.days} simulated days per centre size, seed {args.seed}; minutes")
    print()
    print(
        "| windows | estimator | visitors | mean wait | MAE | median abs. error "
        "| p90 abs. error | bias |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['windows']} | {r['estimator']} | {r['visitors']} | {r['mean_wait']} "
            f"| {r['mae']} | {r['median_ae']} | {r['p90_ae']} | {r['bias']:+} |"
        )
    if args.out:
        Path(args.out).write_text(
            json.dumps({"days": args.days, "seed": args.seed, "rows": rows}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
