"""Find where the time goes when our code is the cost (``python -m bench.profile build|vote``).

Not part of ``make bench`` (profilers distort timings); run it when a ratio fails:

- ``build``: cProfile of one cold ``pelican`` build of the generated corpus, ours and
  vanilla, summarised by who owns the time (our plugins, our templates, Pelican, Jinja2,
  Markdown, feedgen...), so the difference between the two builds has names.
- ``floor``: what bounds the cold build on two cores: one build of ours with its phases
  (bench/phases.py: where it runs on one core), then the CPU of ours, of ours on one core, of
  our theme with the plugins off and of vanilla Pelican; half a build's CPU is the best two
  cores can do with it, so that ÷ vanilla's time is the floor of the ratio ``make bench`` gives.
- ``vote``: cProfile of N vote POSTs and N results GETs through the service's WSGI app
  in-process (production settings, a fresh SQLite file), plus the same requests timed
  without the profiler, split into time inside the database driver and the rest.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

from bench import build, postgres, votes
from bench.procs import run_measured

ROOT = Path(__file__).resolve().parent.parent

# Who owns a function, by where its file is; first match wins.
OWNERS = (
    ("our plugins", str(ROOT / "plugins")),
    ("poll_service", str(ROOT / "poll_service")),
    ("poll_spec", str(ROOT / "poll_spec")),
    ("our templates", str(ROOT / "theme")),
    ("pelican", "/pelican/"),
    ("jinja2", "/jinja2/"),
    ("markdown", "/markdown/"),
    ("pygments", "/pygments/"),
    ("feedgen+lxml", "/feedgen/"),
    ("babel", "/babel/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("flask+werkzeug", "/flask/"),
    ("flask+werkzeug", "/werkzeug/"),
    ("rich/logging", "/rich/"),
    ("python stdlib", "/lib/python3"),
)


def owner(filename: str) -> str:
    """Return the owner of a code file (templates compile to '<template>' or their path)."""
    if filename.endswith(".html") or filename.endswith(".xml") or filename == "<template>":
        return "our templates" if str(ROOT / "theme") in filename else "templates"
    for name, marker in OWNERS:
        if marker in filename:
            return name
    return "other" if not filename.startswith("~") else "builtins (C)"


def by_owner(stats: pstats.Stats) -> dict[str, float]:
    """Sum each function's own time (tottime) per owner."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        totals[owner(filename)] += tottime
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def calls_by_owner(stats: pstats.Stats) -> dict[str, int]:
    """Count each owner's function calls: unlike times, counts do not move with the load."""
    totals: dict[str, int] = defaultdict(int)
    for (filename, _line, _name), (_cc, ncalls, _tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        totals[owner(filename)] += ncalls
    return dict(totals)


def top(stats: pstats.Stats, count: int = 25, sort: str = "cumulative",
        where: str | None = None) -> str:
    """Return the ``count`` first lines of a pstats listing, optionally only files matching ``where``."""
    stream = io.StringIO()
    stats.stream = stream  # type: ignore[attr-defined]
    restrictions = ([where] if where else []) + [count]
    stats.sort_stats(sort).print_stats(*restrictions)
    return stream.getvalue()


def profile_build(articles: int, count: int, keep: Path | None) -> None:
    """Profile one cold build of each site and print who owns the time and the calls.

    The three sites of bench/build.py: ours, ours with only the plugin the theme needs
    ("plugins off"), vanilla Pelican.
    """
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as temporary:
        work = Path(temporary)
        ours, vanilla = build.prepare(work, articles)
        bare = build.without_plugins(ours)
        for site in (ours, bare, vanilla):
            target = (keep or work) / f"{site.name.replace(' ', '-')}.prof"
            command = [sys.executable, "-m", "cProfile", "-o", str(target), *site.command()]
            subprocess.run(command, cwd=site.cwd, check=True, capture_output=True)
            stats = pstats.Stats(str(target))
            total = sum(by_owner(stats).values())
            calls = calls_by_owner(stats)
            print(f"\n=== {site.name}: {total:.1f} s of profiled time, "
                  f"{stats.total_calls:,} calls (own time and calls by owner)")  # type: ignore[attr-defined]
            for name, seconds in by_owner(stats).items():
                print(f"  {name:16s} {seconds:6.2f} s  {100 * seconds / total:5.1f} %  "
                      f"{calls.get(name, 0):>10,} calls")
            print(top(stats, count))
            print(top(stats, count, "tottime"))
            if site.name == "ours":
                print(top(stats, count, where=str(ROOT / "plugins")))


def ablate_plugins(articles: int, rounds: int) -> None:
    """Time our cold build without each plugin in turn: what each one costs, in seconds."""
    sys.path.insert(0, str(ROOT))
    import pelicanconf  # our settings: the plugin list to take apart

    plugins = list(pelicanconf.PLUGINS)
    # i18n stays: the theme's templates call its _() and date filters.
    variants = {"all plugins": plugins} | {
        f"without {name}": [p for p in plugins if p != name] for name in plugins if name != "i18n"}
    with tempfile.TemporaryDirectory(prefix="bench-ablate-") as temporary:
        ours, _vanilla = build.prepare(Path(temporary), articles)
        times: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for round_number in range(rounds):
            names = list(variants) if round_number % 2 == 0 else list(reversed(variants))
            for name in names:
                for folder in (ours.output, ours.cache):
                    subprocess.run(["rm", "-rf", str(folder)], check=True)
                command = ours.command() + ["-e", f"PLUGINS={json.dumps(variants[name])}"]
                measured = run_measured(command, cwd=ROOT, log_file=Path(temporary) / "log")
                times[name].append((measured.seconds, measured.cpu_seconds, measured.max_rss_mib))
                print(f"  {name:18s} {measured.seconds:5.1f} s (CPU {measured.cpu_seconds:5.1f} s) "
                      f"{measured.max_rss_mib:4.0f} MiB", flush=True)
        base_wall = statistics.median(t[0] for t in times["all plugins"])
        base_cpu = statistics.median(t[1] for t in times["all plugins"])
        print(f"\nCold build, {articles} articles, medians of {rounds}; a plugin's cost = "
              "all plugins - without it")
        for name in variants:
            wall = statistics.median(t[0] for t in times[name])
            cpu = statistics.median(t[1] for t in times[name])
            mib = statistics.median(t[2] for t in times[name])
            print(f"  {name:18s} {wall:5.1f} s  CPU {cpu:5.1f} s  {mib:4.0f} MiB   cost "
                  f"{base_wall - wall:+5.1f} s, CPU {base_cpu - cpu:+5.1f} s")


def cold_floor(articles: int) -> None:
    """Print the phases of one cold build of ours, then the CPU floor of each kind of build."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as temporary:
        ours, vanilla = build.prepare(Path(temporary), articles)
        print(f"=== phases of a cold build of ours, {articles} articles (bench/phases.py)", flush=True)
        subprocess.run([sys.executable, "-m", "bench.phases", *ours.command()[1:]], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        variants = [("ours", ours, ()), ("ours on one core", ours, ("-e", "FAST_BUILD_WORKERS=1")),
                    ("our theme, plugins off", build.without_plugins(ours), ()), ("vanilla", vanilla, ())]
        measured = []
        for name, site, extra in variants:
            for folder in (site.output, site.cache):
                subprocess.run(["rm", "-rf", str(folder)], check=True)
            site.work.mkdir(parents=True, exist_ok=True)
            measured.append((name, run_measured([*site.command(), *extra], cwd=site.cwd,
                                                log_file=Path(temporary) / "log")))
        reference = measured[-1][1].seconds
        print(f"\n=== cold builds, {articles} articles: wall, CPU, and CPU ÷ 2 ÷ vanilla's time (the best "
              "two cores can do with that much work)")
        for name, result in measured:
            print(f"  {name:24s} {result.seconds:6.1f} s  CPU {result.cpu_seconds:6.1f} s  "
                  f"{result.max_rss_mib:5.0f} MiB  ratio {result.seconds / reference:4.2f}  "
                  f"floor {result.cpu_seconds / 2 / reference:4.2f}")


def _vote_app(workdir: Path, database_url: str):  # noqa: ANN202 (a Flask app)
    """Create the service in-process, its polls synced by its own CLI."""
    manifest = workdir / "polls.json"
    votes.write_manifest(manifest, ["bench-1"])
    env = votes.service_env(database_url, "http://localhost", workdir / "keys")
    # One request at a time here: a lone vote would wait for company that never comes.
    env["POLL_VOTE_BATCH_WAIT_MS"] = "0"
    votes.prepare_database(env, manifest, workdir / "flask.log")
    from poll_service import create_app

    return create_app({name: value for name, value in env.items() if name.startswith("POLL_")})


def _requests(client, count: int, kind: str, offset: int) -> None:  # noqa: ANN001
    """Send ``count`` votes or GETs, each from a new address and without a cookie."""
    for number in range(offset, offset + count):
        address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        headers = {"X-Forwarded-For": address, "Origin": "http://localhost"}
        if kind == "vote":
            response = client.post("/api/polls/bench-1/votes", data=votes.VOTE_BODY,
                                   headers=headers, content_type="application/json")
            assert response.status_code in (200, 201), response.get_data(as_text=True)
        else:
            response = client.get("/api/polls/bench-1", headers=headers)
            assert response.status_code == 200


def _cost(client, count: int, kind: str, offset: int) -> tuple[float, float]:  # noqa: ANN001
    """Return (wall, CPU) milliseconds per request of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    _requests(client, count, kind, offset)
    return (1000 * (time.perf_counter() - wall) / count, 1000 * (time.process_time() - cpu) / count)


def profile_vote(count: int, lines: int, with_postgres: bool) -> None:
    """Compare the service's cost per request with the hello app's, then profile it.

    In-process, through Flask's test client (the same overhead on both sides), so the CPU
    ratio hardly moves with the other engineers' load, unlike wrk's throughput.
    """
    from bench.hello_app import create_app as create_hello

    hello = create_hello().test_client()
    _requests(hello, 50, "vote", 0)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as temporary, ExitStack() as stack:
        urls = {"SQLite": f"sqlite:///{Path(temporary) / 'polls.sqlite3'}"}
        if with_postgres and postgres.available():
            urls["PostgreSQL"] = stack.enter_context(postgres.server())
        for backend, url in urls.items():
            folder = Path(temporary) / backend
            folder.mkdir()
            # No cookie jar: every request is a new voter, as under wrk.
            client = _vote_app(folder, url).test_client(use_cookies=False)
            _requests(client, 50, "vote", 0)  # warm the engine, the pool and the caches
            for kind in ("vote", "get"):
                reference = _cost(hello, count, kind, 0)
                wall, cpu = _cost(client, count, kind, 1000 + (0 if kind == "vote" else 100_000))
                print(f"{backend:10s} {kind:4s}: {wall:5.2f} ms wall, {cpu:5.2f} ms CPU per request;"
                      f" hello {reference[0]:5.2f} / {reference[1]:5.2f} ms; CPU ratio hello ÷ "
                      f"service = {reference[1] / cpu:.2f}")
        folder = Path(temporary) / "profiled"
        folder.mkdir()
        client = _vote_app(folder, f"sqlite:///{folder / 'polls.sqlite3'}").test_client(
            use_cookies=False)
        _requests(client, 50, "vote", 0)
        for kind in ("vote", "get"):
            profiler = cProfile.Profile()
            profiler.enable()
            _requests(client, count, kind, 200_000 + (0 if kind == "vote" else 100_000))
            profiler.disable()
            stats = pstats.Stats(profiler)
            owners = by_owner(stats)
            total = sum(owners.values())
            print(f"\n=== {kind} on SQLite, profiled: own time by owner")
            for name, seconds in owners.items():
                print(f"  {name:16s} {100 * seconds / total:5.1f} %")
            print(top(stats, lines))
            print(top(stats, lines, "tottime"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("build", "plugins", "floor", "vote"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--keep", type=Path, help="folder where the build profiles are kept")
    args = parser.parse_args(argv)
    if args.what == "build":
        profile_build(args.articles, args.lines, args.keep)
    elif args.what == "plugins":
        ablate_plugins(args.articles, args.rounds)
    elif args.what == "floor":
        cold_floor(args.articles)
    else:
        profile_vote(args.requests, args.lines, not args.no_postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
