"""What a person typed -> Request: filters, status, subcommand, time phrase, yes/no question.

One language for slash commands, mentions, DMs and the CLI (docs/requests.md). The time phrase
is cut out here and read by `bot.timephrase.parse_phrase` with the asker's `now` and zone;
the resulting Window travels on the Request to `answer()`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import Enum, StrEnum, auto
from functools import cache

from bot.errors import ParseError
from bot.filters import Filters
from bot.tasks import TASK_ID_SHAPE, Status, is_task_id
from bot.timephrase import TIME_WORDS, DateOrder, Window, looks_temporal, parse_phrase

MAX_LENGTH = 500
# Slack markup makes mention text longer than what was typed; anything far beyond the limit
# is refused before any work is done on it.
MAX_RAW_LENGTH = 4 * MAX_LENGTH
EXAMPLES = ("livetest yesterday", "stream:cam1,cam2 last 3 days", "running on a.push.example.com")
TASK_EXAMPLES = ("did TASKID record?", "task:TASKID,TASKID last week")


class Subcommand(StrEnum):
    ANSWER = "answer"
    HELP = "help"
    EXPORT = "export"
    CHART = "chart"
    STATS = "stats"
    DIGEST = "digest"
    ALERT = "alert"


class StatusFilter(StrEnum):
    ALL = "all"
    RUNNING = "running"
    SCHEDULED = "scheduled"
    FINISHED = "finished"
    STOPPED = "stopped"

    def admits(self, status: Status) -> bool:
        return self is StatusFilter.ALL or self.value == status.value


@dataclass(frozen=True)
class Request:
    """A request as understood. `raw` is the text as the person typed it (Slack markup turned
    back into plain text, whitespace collapsed); parsing `raw` again with the same `now` and
    zone gives the same Request. `window` is what `phrase` means then (None: no phrase)."""

    raw: str
    subcommand: Subcommand = Subcommand.ANSWER
    filters: Filters = field(default_factory=Filters)
    status: StatusFilter = StatusFilter.ALL
    phrase: str | None = None
    question: bool = False
    digest_args: str = ""
    window: Window | None = None
    alert_args: str = ""  # `alert <filters> [failures|all]`, `alert list`, `alert off N`


# --- vocabulary (rules as data) -------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SUBCOMMAND_WORDS: dict[str, Subcommand] = {
    "help": Subcommand.HELP,
    "export": Subcommand.EXPORT,
    "csv": Subcommand.EXPORT,
    "chart": Subcommand.CHART,
    "timeline": Subcommand.CHART,
    "stats": Subcommand.STATS,
    "digest": Subcommand.DIGEST,
    "alert": Subcommand.ALERT,
    "alerts": Subcommand.ALERT,
}

STATUS_WORDS: dict[str, StatusFilter] = {
    "all": StatusFilter.ALL,
    "everything": StatusFilter.ALL,
    "running": StatusFilter.RUNNING,
    "now": StatusFilter.RUNNING,
    "live": StatusFilter.RUNNING,
    "active": StatusFilter.RUNNING,
    "ongoing": StatusFilter.RUNNING,
    "currently": StatusFilter.RUNNING,
    "scheduled": StatusFilter.SCHEDULED,
    "upcoming": StatusFilter.SCHEDULED,
    "planned": StatusFilter.SCHEDULED,
    "pending": StatusFilter.SCHEDULED,
    "finished": StatusFilter.FINISHED,
    "completed": StatusFilter.FINISHED,
    "done": StatusFilter.FINISHED,
    "ended": StatusFilter.FINISHED,
    "stopped": StatusFilter.STOPPED,
    "cancelled": StatusFilter.STOPPED,
    "canceled": StatusFilter.STOPPED,
    "aborted": StatusFilter.STOPPED,
}

# Two-word status phrases, read before single words ("stopped early" is not "early morning").
STATUS_PAIRS: dict[tuple[str, str], StatusFilter] = {
    ("stopped", "early"): StatusFilter.STOPPED,
    ("ended", "early"): StatusFilter.STOPPED,
    ("right", "now"): StatusFilter.RUNNING,
    ("in", "progress"): StatusFilter.RUNNING,
    ("coming", "up"): StatusFilter.SCHEDULED,
    ("still", "running"): StatusFilter.RUNNING,
}

# Words that start a yes/no question ("did livetest record yesterday?").
YES_NO_STARTERS = _words("did does do is are was were has have had will any anything something")

# Words that carry no filter, status or time: questions and chatter around the request.
FILLER = _words(
    """
    a an the of on in at for with about from to and or by within during over
    did does do is are was were has have had be been being will would can could should
    any anything something there what what's whats which who how many much when where
    show me list give get got find tell please pls thanks i we us you my our your it its
    recording recordings record recorded records task tasks happen happened happening
    go going went get gets see check look up early late yet still also just ok hey hi
    stream streams app apps domain domains
    """
)

# Words that may start a time phrase and change its meaning; a dual-use word right after one
# of them belongs to the phrase ("from now until friday").
CONNECTORS = _words("from since until till to and between through thru by before after at in on of")

# Words the time engine reads inside a phrase but may not flag on their own ("a week ago",
# "early morning"); they join a phrase only when a time word follows them.
TIME_HELPERS = _words("a an early late earlier later")

FILTER_KEYS: dict[str, str] = {
    "stream": "streams",
    "streams": "streams",
    "streamname": "streams",
    "app": "apps",
    "apps": "apps",
    "appname": "apps",
    "domain": "domains",
    "domains": "domains",
    "domainname": "domains",
    "status": "status",
    "task": "task_ids",
    "tasks": "task_ids",
    "taskid": "task_ids",
    "taskids": "task_ids",
}
# The keys that may also name the next word ("stream livetest"); `task` does not: a bare
# TaskId is read by its shape, and "did task cam1 record" is about stream cam1.
KEYWORD_FILTERS = frozenset(
    k for k, v in FILTER_KEYS.items() if v in {"streams", "apps", "domains"}
)

# A bare word this close to a word we know is a typo, not a stream ("yestreday", "runing"):
# refused with a suggestion rather than silently asked about as a stream.
TYPO_MIN_LENGTH = 5
TYPO_RATIO = 0.8
TYPO_DISTANCE = 2


def _vocabulary() -> frozenset[str]:
    # Not the task keys: "task"/"tasks" are everyday words, and "masks" is no typo of them.
    keys = {k for k, v in FILTER_KEYS.items() if v != "task_ids"}
    words = TIME_WORDS | STATUS_WORDS.keys() | SUBCOMMAND_WORDS.keys() | keys
    return frozenset(w for w in words if w.isalpha() and len(w) >= TYPO_MIN_LENGTH - 1)


_VOCABULARY = _vocabulary()


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.]{0,127}")
_HOST = re.compile(r"(?=.{4,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z][A-Za-z0-9-]{0,62}")
_KEY_VALUE = re.compile(r"([A-Za-z]+)[:=](.*)")
_URL = re.compile(r"https?://([^/\s|?#]+)/?", re.IGNORECASE)
_MARKUP = re.compile(r"<([^<>]*)>")
# Backticks too: a TaskId (or a name) is often pasted from a code span.
_LEAD_PUNCT = "\"'([`"
_TRAIL_PUNCT = "\"'?!.,;)]`"
# Base64 characters, or an answer's short TaskId ("…" and its end; "..." once NFKC-folded):
# maybe a TaskId cut short.
_ID_PIECE = re.compile(r"[A-Za-z0-9+/.]{8,}={0,2}")


# --- Slack markup and hostile input -----------------------------------------------------------


def safe_fragment(text: str, limit: int = 40) -> str:
    """A piece of user input fit to quote in a message: shortened, no control characters,
    and no `<`, `>`, `&` (so it can never become Slack markup, even unescaped)."""
    cleaned = "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in text)
    cleaned = cleaned.replace("<", "‹").replace(">", "›").replace("&", "+")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _unmarkup(match: re.Match[str]) -> str:
    """Slack's markup back to what the person typed; mentions of the bot or users vanish."""
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return " "
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        if target.startswith("!date^") and label:
            return label
        # <!channel>, <!here>, <!subteam^S…|@team>: keep as inert words, never as markup.
        return label or "@" + target[1:].split("^")[0]
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    return label or target


def clean_text(text: str) -> str:
    """Normalise a request: Slack markup and entities undone, Unicode folded, one space between
    words. Raises ParseError for text that is too long or holds control characters."""
    if len(text) > MAX_RAW_LENGTH:
        raise ParseError(
            f"That request is too long ({len(text)} characters; at most {MAX_LENGTH})",
            EXAMPLES,
        )
    text = _MARKUP.sub(_unmarkup, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"')
    text = re.sub(r"[\t\n\r\u00a0 ]+", " ", text).strip()
    bad = [ch for ch in text if unicodedata.category(ch)[0] == "C"]
    if bad:
        raise ParseError(
            f"That request holds control or invisible characters (U+{ord(bad[0]):04X}); "
            "please retype it",
            EXAMPLES,
        )
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"That request is too long ({len(text)} characters; at most {MAX_LENGTH})",
            EXAMPLES,
        )
    return text


# --- tokens -----------------------------------------------------------------------------------


class Kind(Enum):
    FILTER = auto()
    STATUS = auto()
    TIME = auto()
    FILLER = auto()
    NAME = auto()


@dataclass(frozen=True)
class _Token:
    text: str  # as typed, punctuation around it removed
    word: str  # lower case, for vocabulary look-ups


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for piece in text.split(" "):
        stripped = piece.lstrip(_LEAD_PUNCT).rstrip(_TRAIL_PUNCT)
        if stripped:
            out.append(_Token(stripped, stripped.lower()))
    return out


def _is_host(text: str) -> bool:
    return _HOST.fullmatch(text) is not None


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1]


@cache
def near_word(word: str) -> str | None:
    """The known word `word` looks like a typo of, if any (only for letters-only words of
    TYPO_MIN_LENGTH or more; names with digits, dots or dashes are taken as typed)."""
    if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
        return None
    # Fewest edits first; on a tie the longer word, so a misspelling the time engine also
    # accepts ("yesteday") is never what we suggest over the real word ("yesterday").
    best: tuple[int, int, float, str] | None = None
    for known in sorted(_VOCABULARY):
        shortest, total = min(len(word), len(known)), len(word) + len(known)
        if abs(len(word) - len(known)) > TYPO_DISTANCE and 2 * shortest / total < TYPO_RATIO:
            continue  # neither test can pass
        ratio = difflib.SequenceMatcher(None, word, known).ratio()
        distance = _distance(word, known)
        if ratio >= TYPO_RATIO or distance <= TYPO_DISTANCE:
            rank = (distance, -len(known), -ratio, known)
            if best is None or rank < best:
                best = rank
    return None if best is None else best[3]


def _cut_task_id(word: str) -> bool:
    """A word that is no name but looks like a piece of a TaskId: base64 characters with a
    digit and a letter and a '+', '=' or '...' in it (or a long one; "live/cam1" is not)."""
    if _ID_PIECE.fullmatch(word) is None:
        return False
    if not (any(c.isdigit() for c in word) and any(c.isalpha() and c.isascii() for c in word)):
        return False
    return "+" in word or "=" in word or "..." in word or len(word) >= 20


def _check_task_id(value: str) -> str:
    if not is_task_id(value):
        raise ParseError(
            f"'{safe_fragment(value)}' is not a TaskId: {TASK_ID_SHAPE}", TASK_EXAMPLES
        )
    return value


def _check_name(value: str, what: str) -> str:
    if not _NAME.fullmatch(value):
        raise ParseError(
            f"'{safe_fragment(value)}' is not a {what} name I can look up "
            "(letters, digits, '-', '_' and '.')",
            EXAMPLES,
        )
    return value


@dataclass
class _Builder:
    """Collects what the tokens say; turned into a frozen Request at the end."""

    streams: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)
    statuses: list[StatusFilter] = field(default_factory=list)

    def add(self, dimension: str, value: str) -> None:
        if dimension == "status":
            status = STATUS_WORDS.get(value.lower())
            if status is None:
                raise ParseError(
                    f"'{safe_fragment(value)}' is not a status",
                    ("running", "scheduled", "finished", "stopped", "all"),
                )
            self.statuses.append(status)
            return
        what = dimension.rstrip("s")
        for part in value.split(","):
            if not part:
                continue
            if dimension == "task_ids":
                self.task_ids.append(_check_task_id(part))
            elif dimension == "domains":
                self.domains.append(_check_name(part, what).lower())
            else:
                getattr(self, dimension).append(_check_name(part, what))

    def filters(self) -> Filters:
        return Filters(
            streams=tuple(dict.fromkeys(self.streams)),
            apps=tuple(dict.fromkeys(self.apps)),
            domains=tuple(dict.fromkeys(self.domains)),
            task_ids=tuple(dict.fromkeys(self.task_ids)),
        )

    def status(self) -> StatusFilter:
        # "all" / "everything" name no status, so a named one wins ("everything scheduled").
        distinct = list(dict.fromkeys(s for s in self.statuses if s is not StatusFilter.ALL))
        if len(distinct) > 1:
            raise ParseError(
                "Please ask for one status at a time, not "
                + " and ".join(s.value for s in distinct),
                ("running", "stopped last week"),
            )
        return distinct[0] if distinct else StatusFilter.ALL


def _filter_token(token: _Token, following: _Token | None, builder: _Builder) -> int:
    """Read a TaskId, `key:value`, `key=value`, `key: value` or a URL; return tokens used."""
    if is_task_id(token.text):
        builder.task_ids.append(token.text)
        return 1
    url = _URL.fullmatch(token.text)
    if url:
        builder.add("domains", url.group(1))
        return 1
    kv = _KEY_VALUE.fullmatch(token.text)
    if kv:
        key, value = kv.group(1).lower(), kv.group(2)
        dimension = FILTER_KEYS.get(key)
        if dimension is None:
            raise ParseError(
                f"I don't know the filter '{safe_fragment(key)}:'; use stream:, app:, "
                "domain:, task: or status:",
                EXAMPLES,
            )
        if value:
            builder.add(dimension, value)
            return 1
        if following is None:
            raise ParseError(f"'{key}:' needs a value, e.g. '{key}:NAME'", EXAMPLES)
        builder.add(dimension, following.text)
        return 2
    return 0


Temporal = Callable[[str], bool]


def _classify(tokens: Sequence[_Token], temporal: Temporal) -> list[Kind]:
    """Kind of each remaining token. A word that could be chatter, a status or a name and also
    part of a time phrase belongs to the phrase when a time word follows it, or when it comes
    right after a connector of the phrase ("from now", "on friday", "all week")."""
    is_time = [
        not _is_host(t.text) and (temporal(t.word) or t.word in TIME_HELPERS) for t in tokens
    ]
    kinds: list[Kind | None] = []
    for token, timeish in zip(tokens, is_time, strict=True):
        if _is_host(token.text):
            kinds.append(Kind.NAME)
            continue
        other = (
            Kind.STATUS
            if token.word in STATUS_WORDS
            else Kind.FILLER
            if token.word in FILLER
            else None
        )
        if timeish and other is None:
            kinds.append(Kind.TIME)
        elif other is not None and not timeish:
            kinds.append(other)
        elif other is None:
            kinds.append(Kind.NAME)
        else:
            kinds.append(None)  # decided by its neighbours below
    resolved: list[Kind] = [Kind.FILLER] * len(tokens)
    for i in range(len(tokens) - 1, -1, -1):
        kind = kinds[i]
        if kind is not None:
            resolved[i] = kind
            continue
        token = tokens[i]
        fallback = Kind.STATUS if token.word in STATUS_WORDS else Kind.FILLER
        next_is_time = i + 1 < len(tokens) and resolved[i + 1] is Kind.TIME
        after_connector = i > 0 and kinds[i - 1] is Kind.TIME and tokens[i - 1].word in CONNECTORS
        resolved[i] = Kind.TIME if next_is_time or after_connector else fallback
    return resolved


Readable = Callable[[str], bool]


def _reader(now: datetime, zone: tzinfo, order: DateOrder) -> Readable:
    """Whether a phrase reads as a time at the asker's `now` in their zone (a date can read
    today and not next year, so no fixed reference day)."""

    def readable(phrase: str) -> bool:
        try:
            parse_phrase(phrase, now, zone, order)
        except ParseError:
            return False
        return True

    return readable


def _first_time_run(kinds: Sequence[Kind]) -> tuple[int, int] | None:
    """`[start, end)` of the first run of time words, if any."""
    if Kind.TIME not in kinds:
        return None
    start = kinds.index(Kind.TIME)
    end = start
    while end < len(kinds) and kinds[end] is Kind.TIME:
        end += 1
    return start, end


def _release_leading(tokens: Sequence[_Token], kinds: list[Kind], readable: Readable) -> None:
    """A dual-use word at the head of the phrase leaves it when the phrase reads only without
    it: "all yesterday" is status all + yesterday, while "all week" stays one phrase."""
    run = _first_time_run(kinds)
    if run is None:
        return
    start, end = run
    while end - start > 1:
        word = tokens[start].word
        if word not in STATUS_WORDS and word not in FILLER:
            return
        words = [t.text for t in tokens[start:end]]
        if readable(" ".join(words)) or not readable(" ".join(words[1:])):
            return
        kinds[start] = Kind.STATUS if word in STATUS_WORDS else Kind.FILLER
        start += 1


def _absorb_unknown(tokens: Sequence[_Token], kinds: list[Kind], readable: Readable) -> None:
    """An unreadable phrase takes the unknown word next to it ("next blursday"), so the time
    engine's error names the whole phrase instead of a stream named "blursday" being guessed."""
    run = _first_time_run(kinds)
    if run is None:
        return
    start, end = run
    if readable(" ".join(t.text for t in tokens[start:end])):
        return
    after = end
    while after < len(kinds) and kinds[after] is Kind.FILLER and tokens[after].word in CONNECTORS:
        after += 1  # "the 35th of Smarch"
    # Only a word of letters can be a misspelt time word; "cam1" stays a stream.
    if after < len(kinds) and kinds[after] is Kind.NAME and _could_be_word(tokens[after].text):
        kinds[end : after + 1] = [Kind.TIME] * (after + 1 - end)
    elif start > 0 and kinds[start - 1] is Kind.NAME and _could_be_word(tokens[start - 1].text):
        kinds[start - 1] = Kind.TIME


def _could_be_word(text: str) -> bool:
    return text.isalpha() and not _is_host(text)


def _phrase(tokens: Sequence[_Token], kinds: Sequence[Kind]) -> str | None:
    runs: list[list[str]] = []
    previous: Kind | None = None
    for token, kind in zip(tokens, kinds, strict=True):
        if kind is Kind.TIME:
            if previous is Kind.TIME:
                runs[-1].append(token.text)
            else:
                runs.append([token.text])
        previous = kind
    if not runs:
        return None
    if len(runs) > 1:
        parts = ", ".join(f"'{safe_fragment(' '.join(r))}'" for r in runs)
        raise ParseError(
            f"I found more than one time in your request ({parts}); please give one",
            ("livetest yesterday afternoon", "stream:cam1 from Jul 26 to Jul 27"),
        )
    words = runs[0]
    # "on friday" / "for last week": the leading word adds nothing to the time.
    while len(words) > 1 and words[0].lower() in {"on", "for", "during", "over", "within"}:
        words = words[1:]
    return " ".join(words)


def parse_request(
    text: str,
    now: datetime,
    zone: tzinfo,
    temporal: Temporal | None = None,
    order: DateOrder = DateOrder.MDY,
) -> Request:
    """Read a request at `now` (aware) in the asker's `zone`; the time phrase is read too.
    Raises ParseError naming the part not understood, with examples.

    `temporal` tells whether a word can be part of a time phrase (the time-phrase engine's
    `looks_temporal` by default). `order` reads numeric dates (RECBOT_DATE_ORDER).
    """
    temporal = temporal or looks_temporal
    cleaned = clean_text(text)
    tokens = _tokens(cleaned)
    if cleaned == "?":
        return Request(raw=cleaned, subcommand=Subcommand.HELP)
    if not tokens:
        return Request(raw=cleaned)
    subcommand = SUBCOMMAND_WORDS.get(tokens[0].word, Subcommand.ANSWER)
    if subcommand is Subcommand.HELP:
        return Request(raw=cleaned, subcommand=subcommand)
    if subcommand is Subcommand.DIGEST:
        args = cleaned.split(" ", 1)[1] if " " in cleaned else ""
        return Request(raw=cleaned, subcommand=subcommand, digest_args=args)
    if subcommand is Subcommand.ALERT:
        args = cleaned.split(" ", 1)[1] if " " in cleaned else ""
        return Request(raw=cleaned, subcommand=subcommand, alert_args=args)
    if subcommand is not Subcommand.ANSWER:
        tokens = tokens[1:]
    question = bool(tokens) and tokens[0].word in YES_NO_STARTERS

    builder = _Builder()
    rest: list[_Token] = []
    i = 0
    while i < len(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        used = _filter_token(tokens[i], following, builder)
        if used:
            i += used
            continue
        token = tokens[i]
        pair = (token.word, following.word) if following else None
        if pair in STATUS_PAIRS:
            builder.statuses.append(STATUS_PAIRS[pair])
            i += 2
            continue
        dimension = FILTER_KEYS.get(token.word)
        if (
            token.word in KEYWORD_FILTERS
            and dimension is not None
            and following is not None
            and not is_task_id(following.text)
            and following.word not in FILLER
            and not temporal(following.word)
        ):
            # "stream livetest", "on domain a.example": the keyword names the next word.
            builder.add(dimension, following.text)
            i += 2
            continue
        rest.append(token)
        i += 1

    kinds = _classify(rest, temporal)
    readable = _reader(now, zone, order)
    _release_leading(rest, kinds, readable)
    _absorb_unknown(rest, kinds, readable)
    for token, kind in zip(rest, kinds, strict=True):
        if kind is Kind.STATUS:
            builder.statuses.append(STATUS_WORDS[token.word])
        elif kind is Kind.NAME:
            if _is_host(token.text):
                builder.add("domains", token.text)
            elif _NAME.fullmatch(token.text):
                typo = near_word(token.word)
                if typo is not None:
                    shown = safe_fragment(token.text)
                    raise ParseError(
                        f"Did you mean '{typo}'? If '{shown}' is a stream, write stream:{shown}"
                    )
                builder.add("streams", token.text)
            elif _cut_task_id(token.text):
                raise ParseError(
                    f"'{safe_fragment(token.text)}' looks like part of a TaskId (answers show "
                    f"only its end); {TASK_ID_SHAPE}: paste the whole TaskId",
                    TASK_EXAMPLES,
                )
            else:
                raise ParseError(f"I couldn't read '{safe_fragment(token.text)}'", EXAMPLES)
    phrase = _phrase(rest, kinds)
    return Request(
        raw=cleaned,
        subcommand=subcommand,
        filters=builder.filters(),
        status=builder.status(),
        phrase=phrase,
        question=question,
        window=None if phrase is None else parse_phrase(phrase, now, zone, order),
    )
