-- The schema bot/db/migrations give a new SQLite database (its sqlite_master, in order).
-- Written by `python -m bot.db.schema_snapshot`; do not edit by hand.
-- head: 0006
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE digest_subscriptions (
	id INTEGER NOT NULL, 
	team_id VARCHAR(32) NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	creator_id VARCHAR(32) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	weekday INTEGER, 
	local_time VARCHAR(5) NOT NULL, 
	tz VARCHAR(64) NOT NULL, 
	request_text TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_digest_subscriptions_team_id ON digest_subscriptions (team_id);
CREATE INDEX ix_digest_subscriptions_active ON digest_subscriptions (active);
CREATE TABLE digest_posts (
	id INTEGER NOT NULL, 
	subscription_id INTEGER NOT NULL, 
	slot DATETIME NOT NULL, 
	state VARCHAR(10) NOT NULL, 
	claimed_by VARCHAR(80) NOT NULL, 
	lease_until DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	late BOOLEAN NOT NULL, 
	message_ts VARCHAR(32), 
	finished_at DATETIME, 
	detail TEXT, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_digest_post_slot UNIQUE (subscription_id, slot), 
	FOREIGN KEY(subscription_id) REFERENCES digest_subscriptions (id) ON DELETE CASCADE
);
CREATE INDEX ix_digest_posts_slot ON digest_posts (slot);
CREATE TABLE recording_events (
	id INTEGER NOT NULL, 
	dedup_key VARCHAR(255) NOT NULL, 
	event_type INTEGER NOT NULL, 
	event VARCHAR(32) NOT NULL, 
	event_time DATETIME NOT NULL, 
	received_at DATETIME NOT NULL, 
	task_id VARCHAR(255) NOT NULL, 
	domain VARCHAR(255) NOT NULL, 
	app VARCHAR(255) NOT NULL, 
	stream VARCHAR(255) NOT NULL, 
	detail TEXT NOT NULL, 
	file_id VARCHAR(255), 
	file_format VARCHAR(16), 
	file_start DATETIME, 
	duration_s BIGINT, 
	size_bytes BIGINT, 
	url TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (dedup_key)
);
CREATE INDEX ix_recording_events_event_time ON recording_events (event_time);
CREATE INDEX ix_recording_events_received_at ON recording_events (received_at);
CREATE TABLE alert_subscriptions (
	id INTEGER NOT NULL, 
	team_id VARCHAR(32) NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	creator_id VARCHAR(32) NOT NULL, 
	request_text TEXT NOT NULL, 
	level VARCHAR(8) NOT NULL, 
	tz VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_alert_subscriptions_active ON alert_subscriptions (active);
CREATE TABLE alert_posts (
	id INTEGER NOT NULL, 
	subscription_id INTEGER NOT NULL, 
	event_key VARCHAR(255) NOT NULL, 
	state VARCHAR(10) NOT NULL, 
	claimed_by VARCHAR(80) NOT NULL, 
	lease_until DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	message_ts VARCHAR(32), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_alert_post_event UNIQUE (subscription_id, event_key), 
	FOREIGN KEY(subscription_id) REFERENCES alert_subscriptions (id) ON DELETE CASCADE
);
CREATE INDEX ix_alert_posts_created_at ON alert_posts (created_at);
CREATE TABLE index_tasks (
	account VARCHAR(160) NOT NULL, 
	task_id VARCHAR(128) NOT NULL, 
	domain VARCHAR(255) NOT NULL, 
	app VARCHAR(255) NOT NULL, 
	stream VARCHAR(255) NOT NULL, 
	start_s BIGINT NOT NULL, 
	end_s BIGINT NOT NULL, 
	template_id INTEGER NOT NULL, 
	stopped_s BIGINT NOT NULL, 
	first_seen DATETIME NOT NULL, 
	last_seen DATETIME NOT NULL, 
	PRIMARY KEY (account, task_id)
);
CREATE INDEX ix_index_tasks_account_start ON index_tasks (account, start_s);
CREATE TABLE index_ranges (
	id INTEGER NOT NULL, 
	account VARCHAR(160) NOT NULL, 
	start_at DATETIME NOT NULL, 
	end_at DATETIME NOT NULL, 
	synced_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_index_ranges_account ON index_ranges (account);
CREATE TABLE index_leases (
	name VARCHAR(200) NOT NULL, 
	holder VARCHAR(120) NOT NULL, 
	lease_until DATETIME NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE index_runs (
	id INTEGER NOT NULL, 
	account VARCHAR(160) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME NOT NULL, 
	calls INTEGER NOT NULL, 
	tasks INTEGER NOT NULL, 
	ok BOOLEAN NOT NULL, 
	detail TEXT, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_index_runs_account_finished ON index_runs (account, finished_at);
CREATE TABLE team_names (
	id INTEGER NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	name VARCHAR(40) NOT NULL, 
	streams TEXT NOT NULL, 
	apps TEXT NOT NULL, 
	domains TEXT NOT NULL, 
	everywhere BOOLEAN NOT NULL, 
	created_by VARCHAR(32) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_team_names_owner_name UNIQUE (owner, name)
);
CREATE INDEX ix_team_names_everywhere ON team_names (everywhere);
CREATE TABLE saved_questions (
	id INTEGER NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	name VARCHAR(40) NOT NULL, 
	request_text TEXT NOT NULL, 
	created_by VARCHAR(32) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_saved_questions_owner_name UNIQUE (owner, name)
);
CREATE TABLE audit_events (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	surface VARCHAR(16) NOT NULL, 
	team_id VARCHAR(32) NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	user_id VARCHAR(32) NOT NULL, 
	text TEXT NOT NULL, 
	understood TEXT NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	reason TEXT NOT NULL, 
	api_request_id VARCHAR(64) NOT NULL, 
	api_calls INTEGER NOT NULL, 
	duration_ms FLOAT NOT NULL, 
	request_id VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_audit_events_at ON audit_events (at);
CREATE INDEX ix_audit_events_channel_id ON audit_events (channel_id);
CREATE INDEX ix_audit_events_user_id ON audit_events (user_id);
CREATE INDEX ix_recording_events_task_cover ON recording_events (task_id, event_type, event_time, duration_s, size_bytes);
CREATE INDEX ix_recording_events_stream_cover ON recording_events (domain, app, stream, event_type, event_time, task_id, duration_s, size_bytes);
