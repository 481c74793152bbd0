"""Answer -> PNG timeline (docs/requests.md): one row per stream, one bar per task coloured by
status, a line at now. matplotlib is imported only when a chart is drawn (it is slow to load)."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from bot.answer import Answer
from bot.findings import StreamKey
from bot.render.format import STATUS_LOOK, answer_shared_names, stream_label
from bot.tasks import RecordTask, Status

MAX_ROWS = 40
MAX_LABEL = 24
_ORDER = (Status.FINISHED, Status.RUNNING, Status.SCHEDULED, Status.STOPPED)
COLOURS = {status: STATUS_LOOK[status].colour for status in _ORDER}


def _literal(text: str) -> str:
    """matplotlib reads `$…$` as math; names from the API are shown as they are."""
    return text.replace("$", r"\$")


def _label(key: StreamKey, shared: frozenset[str]) -> str:
    """The row's stream; on a second line its app and domain when the name is ambiguous."""
    stream = _literal(key.stream[:MAX_LABEL])
    if key.stream not in shared:
        return stream
    where = stream_label(key, shared)[len(key.stream) :].strip()
    return f"{stream}\n{_literal(where[: MAX_LABEL * 2])}"


def _figure(rows: int) -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot's import
    from matplotlib.figure import Figure

    return Figure(figsize=(10, 1.4 + 0.35 * max(rows, 1)), dpi=100)


def render_chart_png(answer: Answer) -> bytes:
    import matplotlib.dates
    from matplotlib.patches import Patch

    mdates: Any = matplotlib.dates  # partly untyped; used only for conversions

    groups: dict[StreamKey, list[RecordTask]] = defaultdict(list)
    for task in answer.tasks:
        groups[StreamKey.of(task)].append(task)
    keys = sorted(groups)[:MAX_ROWS]
    fig = _figure(len(keys))
    ax = fig.add_subplot(1, 1, 1)
    zone = answer.zone
    for row, key in enumerate(keys):
        for status, colour in COLOURS.items():
            bars = [
                (mdates.date2num(t.start), mdates.date2num(t.end) - mdates.date2num(t.start))
                for t in groups[key]
                if answer.status_of(t) is status
            ]
            if bars:
                # Edges and some transparency keep two overlapping tasks visible as two.
                ax.broken_barh(
                    bars,
                    (row - 0.35, 0.7),
                    facecolors=colour,
                    edgecolors="white",
                    linewidth=0.8,
                    alpha=0.85,
                )
    ax.set_yticks(range(len(keys)))
    shared = answer_shared_names(answer)
    ax.set_yticklabels([_label(k, shared) for k in keys])
    ax.invert_yaxis()
    ax.set_xlim(mdates.date2num(answer.plan.start), mdates.date2num(answer.plan.end))
    ax.set_ylim(max(len(keys), 1) - 0.5, -0.5)
    ax.axvline(mdates.date2num(answer.now), color="#ff6f00", linewidth=1.5, linestyle="--")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d %H:%M", tz=zone))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    title = _literal(answer.window.description)
    if len(groups) > MAX_ROWS:
        title += f" (first {MAX_ROWS} of {len(groups)} streams)"
    ax.set_title(title, fontsize=10)
    handles = [Patch(color=c, label=s.value) for s, c in COLOURS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
