-- The ledger schema. Times are Unix microseconds; numbers are packed blobs (see
-- service/ledger/internal/codec): one row per batch, one row per chunk of received numbers,
-- rejections or not-submitted numbers.

CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	action TEXT NOT NULL,
	customer_order_id TEXT NOT NULL DEFAULT '',
	request_id TEXT NOT NULL DEFAULT '',
	validate_only INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	received INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	succeeded INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	not_submitted INTEGER NOT NULL DEFAULT 0,
	failure TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	finished_at INTEGER NOT NULL DEFAULT 0,
	input_closed INTEGER NOT NULL DEFAULT 0,
	owner TEXT NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL,
	received_next INTEGER NOT NULL DEFAULT 0,
	rejections_next INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_account ON jobs (account_id, created_at DESC, id DESC);
CREATE INDEX jobs_by_lease ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_by_owner ON jobs (owner) WHERE state = 'running';

CREATE TABLE request_ids (
	account_id TEXT NOT NULL,
	request_id TEXT NOT NULL,
	job_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, request_id)
) WITHOUT ROWID;

CREATE TABLE batches (
	job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	customer_order_id TEXT NOT NULL,
	order_id TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	total INTEGER NOT NULL,
	succeeded INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	settled INTEGER NOT NULL DEFAULT 0,
	unsent INTEGER NOT NULL DEFAULT 0,
	numbers BLOB NOT NULL,
	results BLOB,
	error_groups BLOB,
	PRIMARY KEY (job_id, seq)
);

CREATE TABLE chunks (
	job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	kind INTEGER NOT NULL,
	start INTEGER NOT NULL,
	count INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (job_id, kind, start)
);
