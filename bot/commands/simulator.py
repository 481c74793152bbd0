"""`recbot simulator`: serve the CSS DescribeRecordTask simulator on loopback until stopped.

The first line of standard output is the URL; made-up keys follow when none are configured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from types import FrameType
from typing import TypeVar

from bot.config import load_settings
from bot.css.dataset import load_tasks
from bot.css.simulator import Faults, Simulator
from bot.errors import ParseError
from bot.ports import port_argument
from bot.tasks import RecordTask

Number = TypeVar("Number", int, float)
PREFIX = "recbot simulator: "
EXIT_USAGE = 2
TASK_FIELDS = ("TaskId", "DomainName", "AppName", "StreamName", "StartTime", "EndTime")


def _at_least_one(text: str) -> int:
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def _share(text: str) -> float:
    value = _number(text, float, "a number")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not a share between 0 and 1")
    return value


def _rate(text: str) -> float:
    value = _number(text, float, "a number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative (0: no limit)")
    return value


def _number(text: str, kind: type[Number], what: str) -> Number:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=port_argument, default=0, help="port on 127.0.0.1 (0: any free)"
    )
    parser.add_argument(
        "--tasks",
        metavar="FILE",
        help="serve these tasks: a JSON list of RecordTask objects (TaskId, DomainName, "
        "AppName, StreamName, StartTime, EndTime in Unix seconds; TemplateId, Stopped "
        "optional) (default: generated)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated tasks")
    parser.add_argument(
        "--count",
        type=_at_least_one,
        default=None,
        help="generate this many random tasks instead of a realistic account's schedule "
        "(default: the realistic account)",
    )
    parser.add_argument("--page-size", type=_at_least_one, default=20, help="tasks per page")
    parser.add_argument(
        "--rate-limit", type=_rate, default=20.0, help="requests per second (0: no limit)"
    )
    parser.add_argument(
        "--error-rate",
        type=_share,
        default=0.0,
        help="share of calls failing with InternalError, 0 to 1",
    )


def read_tasks(path: str) -> tuple[RecordTask, ...]:
    """--tasks FILE, or ParseError saying what is wrong with it."""
    where = f"--tasks {path}"
    try:
        return load_tasks(path)
    except FileNotFoundError:
        raise ParseError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ParseError(f"{where}: is a folder; give the JSON file") from None
    except OSError as error:
        raise ParseError(f"{where}: could not read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ParseError(f"{where}: not UTF-8 text; give a JSON file") from None
    except json.JSONDecodeError as error:
        raise ParseError(
            f"{where}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except KeyError as error:
        raise ParseError(
            f"{where}: a task has no {error.args[0]}; every task needs " + ", ".join(TASK_FIELDS)
        ) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as error:
        raise ParseError(
            f"{where}: expected a JSON list of RecordTask objects with "
            + ", ".join(TASK_FIELDS)
            + f" (StartTime/EndTime in Unix seconds); {error}"[:300]
        ) from None


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    secret_id = settings.tencentcloud_secret_id
    secret_key = settings.tencentcloud_secret_key
    try:
        tasks = read_tasks(args.tasks) if args.tasks else None
    except ParseError as error:
        print(f"{PREFIX}{error.user_message}", file=sys.stderr)
        return EXIT_USAGE
    simulator = Simulator(
        tasks=tasks,
        seed=args.seed,
        count=args.count,
        secret_id=secret_id.get_secret_value() if secret_id else None,
        secret_key=secret_key.get_secret_value() if secret_key else None,
        port=args.port,
        page_size=args.page_size,
        rate_limit=args.rate_limit or None,
        faults=Faults(error_rate=args.error_rate),
    )
    stop = threading.Event()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    try:
        simulator.start()
    except OSError as error:
        reason = error.strerror or str(error)
        print(
            f"{PREFIX}cannot listen on 127.0.0.1:{args.port} ({reason}); choose another "
            "--port, or 0 for any free port",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with simulator:
        print(simulator.url, flush=True)
        if secret_id is None or secret_key is None:
            # Made up for this run only; they open nothing but this simulator.
            print(f"TENCENTCLOUD_SECRET_ID={simulator.secret_id}", flush=True)
            print(f"TENCENTCLOUD_SECRET_KEY={simulator.secret_key}", flush=True)
        print(
            f"serving {len(simulator.tasks)} simulated tasks; Ctrl-C or SIGTERM stops",
            file=sys.stderr,
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0
