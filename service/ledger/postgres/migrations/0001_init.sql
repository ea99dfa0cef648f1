-- The ledger schema. Times are Unix microseconds from the database clock (now()), so replicas
-- with skewed clocks agree on leases; numbers are packed bytea (see
-- service/ledger/internal/codec): one row per batch, one row per chunk of received numbers,
-- rejections or not-submitted numbers.

CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	action TEXT NOT NULL,
	customer_order_id TEXT NOT NULL DEFAULT '',
	request_id TEXT NOT NULL DEFAULT '',
	validate_only BOOLEAN NOT NULL DEFAULT FALSE,
	state TEXT NOT NULL,
	received BIGINT NOT NULL DEFAULT 0,
	rejected BIGINT NOT NULL DEFAULT 0,
	succeeded BIGINT NOT NULL DEFAULT 0,
	failed BIGINT NOT NULL DEFAULT 0,
	not_submitted BIGINT NOT NULL DEFAULT 0,
	failure TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	finished_at BIGINT NOT NULL DEFAULT 0,
	input_closed BOOLEAN NOT NULL DEFAULT FALSE,
	owner TEXT NOT NULL DEFAULT '',
	lease_until BIGINT NOT NULL,
	received_next BIGINT NOT NULL DEFAULT 0,
	rejections_next BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_account ON jobs (account_id, created_at DESC, id DESC);
CREATE INDEX jobs_by_lease ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_by_owner ON jobs (owner) WHERE state = 'running';

-- The unique index of (account_id, request_id): at most one job per account and request id.
CREATE TABLE request_ids (
	account_id TEXT NOT NULL,
	request_id TEXT NOT NULL,
	job_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (account_id, request_id)
);

CREATE TABLE batches (
	job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	seq BIGINT NOT NULL,
	customer_order_id TEXT NOT NULL,
	order_id TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	total BIGINT NOT NULL,
	succeeded BIGINT NOT NULL DEFAULT 0,
	failed BIGINT NOT NULL DEFAULT 0,
	settled BOOLEAN NOT NULL DEFAULT FALSE,
	unsent BOOLEAN NOT NULL DEFAULT FALSE,
	numbers BYTEA NOT NULL,
	results BYTEA,
	error_groups BYTEA,
	PRIMARY KEY (job_id, seq)
);
ALTER TABLE batches ALTER COLUMN numbers SET STORAGE EXTERNAL; -- packed numbers do not compress

CREATE TABLE chunks (
	job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	kind SMALLINT NOT NULL,
	start BIGINT NOT NULL,
	count BIGINT NOT NULL,
	data BYTEA NOT NULL,
	PRIMARY KEY (job_id, kind, start)
);
ALTER TABLE chunks ALTER COLUMN data SET STORAGE EXTERNAL;
