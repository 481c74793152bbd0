"""The composition root: every long-lived object of a recbot process is built here, from Settings.

Read this file to see how the app is put together. Each section builds one kind of object;
`recbot serve` (`build_server_bot`), `recbot ask` (`task_source`), `recbot doctor` (the same
factories, so it cannot pass while serve fails), the benches and the tests all take theirs from
here, and nothing below this module (`bot.slack`, `bot.digest`, `bot.css`, …) builds another
module's objects. The import layering is pinned by tests/core/test_layering.py:

    core → css / render / db / replicas → slack / digest → wiring → commands

Adding a feature: its store goes under "Stores" (a field of `Stores`, built in `open_stores`
on the one migrated engine), its Slack hook under "The server bot" (`build_server_bot`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.errors import ConfigError

if TYPE_CHECKING:
    import redis
    from slack_sdk import WebClient
    from sqlalchemy.engine import Engine

    from bot.access import AccessPolicy
    from bot.alerts.dispatcher import AlertDispatcher
    from bot.alerts.store import AlertStore
    from bot.config import Settings
    from bot.css.cache import Cache
    from bot.css.query import CssSource
    from bot.css.ratelimit import RateLimiter
    from bot.db.audit_store import AuditStore
    from bot.db.direct_memory import DirectMemory
    from bot.db.memory_store import MemoryStore
    from bot.db.team_memory import MemoryStores
    from bot.digest.delivery import ChannelPacer
    from bot.digest.now import DigestNowThrottle
    from bot.digest.scheduler import DigestScheduler
    from bot.digest.store import DigestStore
    from bot.evidence.events import RecordingEvent
    from bot.evidence.receiver import CallbackReceiver
    from bot.evidence.state import EvidenceSource
    from bot.evidence.store import EvidenceStore
    from bot.index.refresh import StreamRefresher
    from bot.index.source import Freshness, IndexSource
    from bot.index.store import IndexStore
    from bot.index.sync import Syncer, SyncLoop, SyncPolicy
    from bot.memory.audit_writer import AuditWriter
    from bot.replicas.seen_events import SeenEvents
    from bot.slack.answers import AlertCommands, DigestCommands, SlackConversation
    from bot.slack.conversation import Conversation
    from bot.slack.http_lane import BatchRoute
    from bot.slack.server import Bot
    from bot.slack.workers import WorkPool
    from bot.slack.wsgi import WsgiRoute
    from bot.source import TaskSource

# Redis keys, under RECBOT_REDIS_PREFIX. Tencent Cloud's DescribeRecordTask limit is one budget
# for the whole account, so every replica uses the same key.
CSS_RATE_KEY = "css:describe_record_task:rate"
SLACK_CHANNEL_RATE_KEY = "slack:post:"
CACHE_KEY = "cache:"
EVENTS_KEY = "events:"
DIGEST_NOW_KEY = "digest-now:"


# --- Slack: the one WebClient and its one auth.test ----------------------------------------


def slack_client(settings: Settings) -> WebClient:
    """The process's WebClient (bot token, SLACK_API_URL, retries on 429 and dropped links)."""
    from bot.slack.app import web_client

    settings.require("slack_bot_token", why="answering in Slack (Bot User OAuth Token)")
    assert settings.slack_bot_token is not None
    return web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)


def check_bot_token(settings: Settings) -> tuple[WebClient, dict[str, Any]]:
    """The client and its auth.test answer (the only auth.test a process makes); ConfigError
    naming the variable if Slack refuses the token or cannot be reached."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.slack.app import DEFAULT_API_URL

    client = slack_client(settings)
    try:
        auth = dict(client.auth_test().data)  # type: ignore[arg-type]
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        raise ConfigError(
            f"SLACK_BOT_TOKEN was refused by Slack ({error}); check the token"
        ) from None
    except (SlackClientError, OSError):
        url = settings.slack_api_url or DEFAULT_API_URL
        raise ConfigError(
            f"Slack's Web API at {url} could not be reached; check the network, proxy "
            "settings and SLACK_API_URL"
        ) from None
    return client, auth


# --- Access -------------------------------------------------------------------------------


def access_policy(settings: Settings) -> AccessPolicy:
    """The operator's access policy (RECBOT_ACCESS_FILE; none: everyone, unscoped)."""
    from bot.access import load_policy

    return load_policy(settings.recbot_access_file)


# --- Task source: CSS with the shared (Redis) or in-process limiter and cache --------------

_redis_clients: dict[str, redis.Redis] = {}


def redis_client(settings: Settings) -> redis.Redis | None:
    """One connection pool per URL and process, or None when RECBOT_REDIS_URL is unset.

    redis is imported only when it is set, so `recbot ask` without Redis does not load it."""
    url = settings.recbot_redis_url
    if not url:
        return None
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
        )
        _redis_clients[url] = client
    return client


def make_rate_limiter(settings: Settings) -> RateLimiter:
    """The DescribeRecordTask limiter: shared by every replica with Redis, else per process."""
    client = redis_client(settings)
    if client is not None:
        from bot.replicas.ratelimit import RedisRateLimiter

        return RedisRateLimiter(
            client, settings.recbot_redis_prefix + CSS_RATE_KEY, settings.recbot_rate_limit
        )
    from bot.css.ratelimit import process_limiter

    return process_limiter(settings.recbot_rate_limit)


def make_cache(settings: Settings) -> Cache:
    """The answer cache (`bot.css.cache`): in Redis when set, else per process."""
    client = redis_client(settings)
    if client is not None:
        from bot.replicas.cache import RedisCache

        return RedisCache(client, settings.recbot_redis_prefix + CACHE_KEY)
    from bot.css.cache import process_cache

    return process_cache()


def task_source(settings: Settings, *, now: datetime | None = None) -> CssSource:
    """The CSS task source with the limiter and cache these settings call for (`now`: the
    embedded simulator's fixed clock, as `recbot ask --now` asks). Close it when done."""
    from bot.css.client import open_source

    return open_source(
        settings, now=now, limiter=make_rate_limiter(settings), cache=make_cache(settings)
    )


# The name other code has used for `task_source`.
open_shared_source = task_source


def make_seen_events(settings: Settings) -> SeenEvents:
    """Which Slack event ids were answered already: in Redis when set, else per process."""
    client = redis_client(settings)
    if client is not None:
        from bot.replicas.dedup import RedisSeenEvents

        return RedisSeenEvents(client, settings.recbot_redis_prefix + EVENTS_KEY)
    from bot.replicas.seen_events import InMemorySeenEvents

    return InMemorySeenEvents()


# --- Stores: one migrated engine, one store per feature -------------------------------------


def database_engine(settings: Settings, *, connect_timeout_s: float | None = None) -> Engine:
    """The engine for RECBOT_DATABASE_URL, not migrated (`open_stores` migrates)."""
    from bot.db.database import open_engine

    return open_engine(settings.recbot_database_url, connect_timeout_s=connect_timeout_s)


# A database that does not answer within this long at start is reported as down.
START_CONNECT_TIMEOUT_S = 10.0


def prepare_database(settings: Settings) -> None:
    """`recbot serve`'s start-up check: connect and migrate once, before anything is built;
    down or unusable is one ConfigError naming RECBOT_DATABASE_URL (`bot.db.startup`)."""
    from bot.db.startup import prepare_database as check_and_migrate

    check_and_migrate(
        settings.recbot_database_url,
        lambda: database_engine(settings, connect_timeout_s=START_CONNECT_TIMEOUT_S),
    )


@dataclass(frozen=True)
class Stores:
    """Every store of the process, over one engine. A feature with a table adds its field here
    and builds it in `open_stores`."""

    engine: Engine
    digests: DigestStore
    evidence: EvidenceStore
    alerts: AlertStore
    names: MemoryStore  # team memory: names and saved questions
    audit: AuditStore  # team memory: the audit trail
    index: IndexStore

    def close(self) -> None:
        self.engine.dispose()


def open_stores(settings: Settings) -> Stores:
    """The database migrated to the newest schema, and every store on it."""
    from bot.alerts.store import AlertStore
    from bot.db.audit_store import AuditStore
    from bot.db.database import migrate
    from bot.db.memory_store import MemoryStore
    from bot.digest.store import DigestStore
    from bot.evidence.store import EvidenceStore
    from bot.index.store import IndexStore

    engine = database_engine(settings)
    migrate(engine)
    return Stores(
        engine=engine,
        digests=DigestStore(engine),
        evidence=EvidenceStore(engine),
        alerts=AlertStore(engine),
        names=MemoryStore(engine),
        audit=AuditStore(engine),
        index=IndexStore(engine),
    )


def open_store(settings: Settings) -> DigestStore:
    """The digest store alone, migrated (its engine is disposed with `store.engine.dispose()`)."""
    return open_stores(settings).digests


# --- Index: the synced index of tasks (docs/index.md) --------------------------------------

INDEX_SYNC_TICK_S = 2.0


def sync_policy(settings: Settings) -> SyncPolicy:
    from bot.index.sync import SyncPolicy

    return SyncPolicy(
        hot_every=timedelta(seconds=settings.recbot_index_hot_s),
        far_every=timedelta(seconds=settings.recbot_index_far_refresh_s),
        reconcile_every=timedelta(seconds=settings.recbot_index_reconcile_s),
        lease=timedelta(seconds=settings.recbot_index_lease_s),
        budget_per_h=settings.recbot_index_sync_budget_per_h,
    )


def index_freshness(settings: Settings) -> Freshness:
    from bot.index.source import Freshness

    return Freshness(
        max_age=timedelta(seconds=settings.recbot_index_max_age_s),
        now_age=timedelta(seconds=settings.recbot_index_now_age_s),
        settled_age=2 * timedelta(seconds=settings.recbot_index_reconcile_s),
        far_age=timedelta(seconds=settings.recbot_index_far_max_age_s),
    )


def index_syncer(settings: Settings, store: IndexStore, live: CssSource) -> Syncer:
    """The syncer of `live`'s account (`recbot sync`, serve's loop, questions about now)."""
    from bot.index.sync import Syncer

    return Syncer(store, live, sync_policy(settings))


def existing_index_store(settings: Settings) -> IndexStore | None:
    """The index store if a synced index exists already, else None: `recbot ask` and doctor
    read an index but never create a database just to find it empty."""
    from pathlib import Path

    from sqlalchemy import inspect

    from bot.db.database import driver_url

    # Looked at before an engine exists: opening a SQLite engine creates its folder, and a
    # path that cannot be a folder must mean "no index, answer live", not an error.
    url = driver_url(settings.recbot_database_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and (
        not database or database == ":memory:" or not Path(database).is_file()
    ):
        return None
    engine = database_engine(settings)
    try:
        present = inspect(engine).has_table("index_ranges")
    except Exception:  # an unreachable database: answer live, doctor says why
        present = False
    if not present:
        engine.dispose()
        return None
    from bot.index.store import IndexStore

    return IndexStore(engine)


@contextmanager
def answer_source(
    settings: Settings, live: CssSource, *, live_only: bool = False
) -> Iterator[TaskSource]:
    """What `recbot ask` answers from: the index when there is one (and `--live` was not
    asked for; never over the built-in simulator), else `live`, which its owner closes."""
    from bot.db.sqlite_file import has_rows

    store = None
    # An index never synced (no range in it) would send every question live: seen through
    # sqlite3 when it can be, so `recbot ask` does not load SQLAlchemy just to find that.
    if (
        settings.recbot_index
        and not live_only
        and not live.simulated
        and has_rows(settings.recbot_database_url, "index_ranges") is not False
    ):
        store = existing_index_store(settings)
    if store is None:
        yield live
        return
    from bot.index.source import IndexSource  # loaded only with an index to read

    try:
        syncer = index_syncer(settings, store, live)
        yield IndexSource(store, live, index_freshness(settings), syncer=syncer)
    finally:
        store.engine.dispose()


@dataclass
class RunningIndex:
    """The index beside a serving bot: the source to answer from and the sync loop."""

    source: IndexSource
    loop: SyncLoop
    streams: StreamRefresher  # recording callbacks refresh their stream at once

    def on_callback(self, event: RecordingEvent) -> None:
        self.streams.refresh(event.domain, event.app, event.stream)

    def stop(self) -> None:
        self.streams.stop()
        self.loop.stop()


def start_index(settings: Settings, live: CssSource, store: IndexStore) -> RunningIndex | None:
    """Start the sync loop (one syncer across replicas: the lease in the database) and return
    the source that answers from the index; None when RECBOT_INDEX is off or the built-in
    simulator answers (it makes its data again every hour: nothing to keep)."""
    if not settings.recbot_index or live.simulated:
        return None
    from bot.index.refresh import StreamRefresher
    from bot.index.source import IndexSource
    from bot.index.status import index_status
    from bot.index.sync import SyncLoop
    from bot.obs.metrics import set_index_gauges

    syncer = index_syncer(settings, store, live)
    source = IndexSource(store, live, index_freshness(settings), syncer=syncer)

    def tick() -> None:
        source.warm()
        status = index_status(
            store, syncer.account, live.server_clock(), syncer.wall_clock(), budget=syncer.budget
        )
        set_index_gauges(status.gauges())

    loop = SyncLoop(syncer, INDEX_SYNC_TICK_S, on_tick=tick).start()
    return RunningIndex(source, loop, StreamRefresher(syncer))


# --- Scheduler: digests posted to Slack ----------------------------------------------------


def channel_pacer(settings: Settings) -> ChannelPacer:
    """Slack's per-channel posting rate: shared through Redis when set, else per process."""
    from bot.digest.delivery import (
        CHANNEL_HEADROOM,
        CHANNEL_RATE,
        LocalChannelPacer,
        SharedChannelPacer,
    )

    client = redis_client(settings)
    if client is None:
        return LocalChannelPacer()
    from bot.replicas.ratelimit import RedisRateLimiter  # loads redis: only with Redis set

    prefix = settings.recbot_redis_prefix + SLACK_CHANNEL_RATE_KEY
    return SharedChannelPacer(
        lambda channel: RedisRateLimiter(
            client, prefix + channel, CHANNEL_RATE, headroom=CHANNEL_HEADROOM
        )
    )


def digest_now_throttle(settings: Settings) -> DigestNowThrottle:
    """The `digest now` throttle: counted across replicas through Redis when set."""
    from bot.digest.now import (
        CHANNEL_EVERY_S,
        PER_PERSON,
        PERSON_WINDOW_S,
        DigestNowThrottle,
    )

    client = redis_client(settings)
    if client is None:
        return DigestNowThrottle()
    from bot.replicas.throttle import SharedThrottle  # loads redis: only with Redis set

    shared = SharedThrottle(
        client,
        settings.recbot_redis_prefix + DIGEST_NOW_KEY,
        channel_every_s=CHANNEL_EVERY_S,
        per_person=PER_PERSON,
        person_window_s=PERSON_WINDOW_S,
    )
    return DigestNowThrottle(shared=shared)


def digest_scheduler(
    settings: Settings,
    *,
    source: TaskSource,
    client: WebClient,
    store: DigestStore,
    policy: AccessPolicy,
    on_stop: Callable[[], None] | None = None,
) -> DigestScheduler:
    """The digest loop (not started): posts through `client`, paced per channel."""
    from bot.digest.delivery import DigestPoster
    from bot.digest.scheduler import DigestScheduler

    return DigestScheduler(
        store,
        source,
        DigestPoster(client, channel_pacer(settings)),
        lease=timedelta(seconds=settings.recbot_digest_lease_s),
        tick_s=settings.recbot_digest_tick_s,
        scope_for=policy.scope_for,
        on_stop=on_stop,
    )


# --- Team memory: names, saved questions, the audit trail ---------------------------------


def team_memory_stores(settings: Settings) -> MemoryStores:
    """Names, saved questions and the audit trail for a command (`recbot ask`, `recbot
    audit`): migrated only when their tables are missing, since Alembic costs more to load
    than most answers take."""
    from bot.db.team_memory import open_memory

    return open_memory(settings.recbot_database_url, quick=True)


def direct_team_memory(settings: Settings) -> DirectMemory | None:
    """A question's names, saved questions and audit record through sqlite3 alone, when the
    database is a SQLite file with their tables (`bot.db.direct_memory`); None: use
    `team_memory_stores`."""
    from bot.db.direct_memory import open_direct_memory

    return open_direct_memory(settings.recbot_database_url)


def audit_writer(settings: Settings, stores: Stores, clock: Callable[[], datetime]) -> AuditWriter:
    """The background writer of the audit trail (started); `.stop()` writes what it holds."""
    from bot.memory.audit_writer import AuditWriter

    keep = timedelta(days=settings.recbot_audit_days)
    return AuditWriter(stores.audit, clock, keep=keep).start()


def remembering(
    settings: Settings, stores: Stores, writer: AuditWriter, team_id: str
) -> Callable[[SlackConversation], Conversation]:
    """Wraps the answering conversation in team memory (`bot.slack.team_memory`)."""
    from bot.memory.desk import TeamMemory
    from bot.memory.trail import TrailingSource
    from bot.obs.log import masker
    from bot.slack.team_memory import AuditTrail, RememberingConversation
    from bot.timephrase import DateOrder

    audit = AuditTrail(writer, stores.audit, team_id, masker(settings))
    memory = TeamMemory(stores.names, settings.admins, DateOrder(settings.recbot_date_order))

    def wrap(inner: SlackConversation) -> Conversation:
        counted = replace(inner, source=TrailingSource(inner.source))
        return RememberingConversation(counted, memory, audit)

    return wrap


# --- Work pool ----------------------------------------------------------------------------


def work_pool() -> WorkPool:
    """The threads answers run on (acks come first; see `bot.slack.workers`)."""
    from bot.slack.workers import WorkPool

    return WorkPool()


# --- The Bolt app -------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def build_bot(
    settings: Settings,
    *,
    socket_mode: bool = False,
    source: TaskSource | None = None,
    digests: DigestCommands | None = None,
    clock: Callable[[], datetime] = _now,
    client: WebClient | None = None,
    policy: AccessPolicy | None = None,
    auth: Mapping[str, Any] | None = None,
    members_of: Callable[[str], frozenset[str]] | None = None,
    evidence: EvidenceSource | None = None,
    alerts: AlertCommands | None = None,
    wrap: Callable[[SlackConversation], Conversation] | None = None,
) -> Bot:
    """The Bolt app and its parts. `source` defaults to the CSS source (closed on stop);
    `client`, `policy`, `auth` (an auth.test response) and `members_of` (user groups) are made
    here when not given, so a caller that already has them shares one of each. `wrap` puts
    team memory around the answering conversation."""
    from bot.slack.answers import SlackConversation
    from bot.slack.app import build_app
    from bot.slack.delivery import Delivery
    from bot.slack.native import register_native
    from bot.slack.native_wiring import build_native
    from bot.slack.parts import BotParts
    from bot.slack.server import Bot
    from bot.slack.team_memory import RememberingConversation
    from bot.slack.timezones import TimeZones
    from bot.slack.usergroups import UserGroups
    from bot.timephrase import DateOrder

    if not socket_mode:
        settings.require("slack_signing_secret", why="checking that requests come from Slack")
    if client is None:
        client = slack_client(settings)
    if policy is None:
        policy = access_policy(settings)
    on_stop: Callable[[], None] = lambda: None  # noqa: E731
    if source is None:
        from bot.css.client import open_source

        css = open_source(settings)
        source, on_stop = css, css.close
    conversation = SlackConversation(
        source=source,
        policy=policy,
        zone_of=TimeZones(client, ZoneInfo(settings.recbot_default_tz)).zone_of,
        members_of=members_of or UserGroups(client).members_of,
        clock=clock,
        digests=digests,
        evidence=evidence,
        alerts=alerts,
        date_order=DateOrder(settings.recbot_date_order),
    )
    answering: Conversation = conversation if wrap is None else wrap(conversation)
    parts = BotParts(answering, Delivery(client), work_pool(), make_seen_events(settings))
    secret = settings.slack_signing_secret
    signing_secret = secret.get_secret_value() if secret else None
    app = build_app(client, signing_secret, parts, socket_mode=socket_mode, auth=auth)
    # Shortcuts, modals, pickers and the Workflow Builder step (docs/slack-native.md).
    register_native(
        app,
        parts,
        build_native(
            settings=settings,
            client=client,
            parts=parts,
            source=source,
            policy=policy,
            conversation=conversation,
            digests=digests,
            names=answering if isinstance(answering, RememberingConversation) else None,
        ),
    )
    return Bot(
        app,
        parts,
        settings.recbot_max_body_bytes,
        on_stop,
        # HTTP mode checks the signature before any parsing (bot/slack/wsgi.py).
        signing_secret=signing_secret,
        drain_timeout_s=settings.recbot_drain_timeout,
    )


# --- The server bot: what `recbot serve` runs ----------------------------------------------


def build_server_bot(
    settings: Settings,
    *,
    socket_mode: bool = False,
    client: WebClient | None = None,
    auth: Mapping[str, Any] | None = None,
) -> Bot:
    """The bot with digests (the `digest …` commands, the App Home list, the scheduler thread),
    all over one task source with the shared limiter and cache.

    One WebClient, one auth.test and one access policy serve the whole process: pass the
    `client` and its `auth` response when the caller has them (`recbot serve` checks the token
    before starting), else they are made here. `Bot.stop()` releases everything built here.
    """
    from bot.digest.audit import audit_posts
    from bot.digest.commands import SlackDigests
    from bot.obs.log import masker
    from bot.slack.usergroups import UserGroups

    if not settings.recbot_digests:
        # RECBOT_DIGESTS=false: the bot alone (its token then needs no channel-history scope).
        return build_bot(settings, socket_mode=socket_mode, client=client, auth=auth)
    if client is None:
        client = slack_client(settings)
    policy = access_policy(settings)
    live = task_source(settings)
    source: TaskSource = live
    stores: Stores | None = None
    index: RunningIndex | None = None
    try:
        if auth is None:
            auth = dict(client.auth_test().data)  # type: ignore[arg-type]
        stores = open_stores(settings)
        # The sync loop runs in every replica (one syncs, the lease says which); answers and
        # digests read the index when it can be trusted.
        index = start_index(settings, live, stores.index)
        if index is not None:
            source = index.source
        scheduler = digest_scheduler(
            settings,
            source=source,
            client=client,
            store=stores.digests,
            policy=policy,
            on_stop=stores.close,
        )
    except Exception:
        if index is not None:
            index.stop()
        if stores is not None:
            stores.close()
        live.close()
        raise
    team_id = str(auth.get("team_id") or "")
    writer = audit_writer(settings, stores, _now)
    audit_posts(  # each digest posted is one audit record
        scheduler,
        writer.submit,
        team_id=team_id,
        mask=masker(settings),
        clock=_now,
    )
    members_of = UserGroups(client).members_of
    team_id = str(auth.get("team_id") or "")
    recording = recording_evidence(
        settings,
        stores,
        client=client,
        team_id=team_id,
        policy=policy,
        replica=scheduler.replica,
        on_event=index.on_callback if index is not None else None,
        tasks=source,
    )
    if recording is not None:
        from bot.alerts.audit import audit_alerts

        audit_alerts(  # each alert posted is one audit record
            recording.dispatcher, writer.submit, team_id=team_id, mask=masker(settings), clock=_now
        )
    digests = SlackDigests(
        stores.digests,
        str(auth.get("team_id") or ""),
        policy=policy,
        members_of=members_of,
        scheduler=scheduler,
        now_throttle=digest_now_throttle(settings),
    )
    bot = build_bot(
        settings,
        socket_mode=socket_mode,
        source=source,
        digests=digests,
        client=client,
        policy=policy,
        auth=auth,
        members_of=members_of,
        evidence=recording.store if recording is not None else None,
        alerts=recording.commands if recording is not None else None,
        wrap=remembering(settings, stores, writer, team_id),
    )
    scheduler.start()
    if recording is not None:
        recording.dispatcher.start()

    def stop() -> None:
        if recording is not None:
            recording.dispatcher.stop()
        writer.stop()  # before the scheduler closes the stores
        if index is not None:
            index.stop()  # before the scheduler's stop disposes the engine
        scheduler.stop()
        live.close()

    if recording is None:
        return replace(bot, on_stop=stop)
    return replace(bot, on_stop=stop, routes=recording.routes, lanes=recording.lanes)


# --- Recording evidence: CSS callbacks in, alerts out (docs/evidence.md) --------------------


@dataclass(frozen=True)
class RecordingEvidence:
    """What RECBOT_CSS_CALLBACK_KEY turns on: the store answers read, the `POST /css/callbacks`
    receiver, the alert loop (started by `build_server_bot`) and the `alert …` commands."""

    store: EvidenceStore
    receiver: CallbackReceiver
    dispatcher: AlertDispatcher
    commands: AlertCommands

    @property
    def routes(self) -> Mapping[str, WsgiRoute]:
        from bot.evidence.receiver import CALLBACKS_PATH

        return {CALLBACKS_PATH: self.receiver.wsgi}

    @property
    def lanes(self) -> Mapping[str, BatchRoute]:
        """POSTs answered in batches, one commit each (bot/slack/http_lane.py)."""
        from bot.evidence.receiver import CALLBACKS_PATH

        return {CALLBACKS_PATH: self.receiver}


def recording_evidence(
    settings: Settings,
    stores: Stores,
    *,
    client: WebClient,
    team_id: str,
    policy: AccessPolicy,
    replica: str,
    clock: Callable[[], datetime] = _now,
    on_event: Callable[[RecordingEvent], None] | None = None,
    tasks: TaskSource | None = None,
) -> RecordingEvidence | None:
    """None when callbacks are off (no key): /css/callbacks is then 404. `on_event` is given
    each newly stored callback (the index refreshes that stream); `tasks` (the index when on,
    else the live source) is where the alert loop looks for stopped and silent tasks."""
    from bot.alerts.commands import SlackAlerts
    from bot.alerts.delivery import SlackAlertPoster
    from bot.alerts.dispatcher import AlertDispatcher
    from bot.evidence.receiver import CallbackReceiver
    from bot.evidence.service import callback_key

    key = callback_key(settings)
    if key is None:
        return None
    dispatcher = AlertDispatcher(
        stores.evidence,
        stores.alerts,
        SlackAlertPoster(client, channel_pacer(settings)),
        replica=replica,
        clock=clock,
        scope_for=policy.scope_for,
        lease=timedelta(seconds=settings.recbot_alert_lease_s),
        tasks=tasks,
        task_check=timedelta(seconds=settings.recbot_alert_task_check_s),
    )
    receiver = CallbackReceiver(
        stores.evidence, key, clock, on_stored=dispatcher.nudge, on_event=on_event
    )
    commands = SlackAlerts(stores.alerts, team_id, policy.scope_for, clock)
    return RecordingEvidence(stores.evidence, receiver, dispatcher, commands)


def evidence_source(
    settings: Settings, *, simulated: bool, now: datetime
) -> tuple[EvidenceSource | None, Callable[[], None]]:
    """What `recbot ask` reads, and how to close it: the embedded simulator's own callbacks
    (without a key), the evidence store (with one), or nothing (Tencent Cloud, no key)."""
    from bot.evidence.service import callback_key
    from bot.evidence.simulate import SimulatedEvidence

    if callback_key(settings) is None:
        return (SimulatedEvidence(now) if simulated else None), lambda: None
    stores = open_stores(settings)
    return stores.evidence, stores.close
