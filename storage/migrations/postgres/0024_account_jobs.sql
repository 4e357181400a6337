-- Bulk jobs over accounts (postgres). Keep in step with the other dialect's
-- 0024_account_jobs.sql.

-- One row per quick action run over a selection of accounts: explicit ids
-- (account_ids, a JSON array) or a search (query, its filters as JSON).
-- The job walks the selection in account-id order; last_account is the last
-- account visited, moved in the same transaction as the action on it, so a
-- node that takes the job over (its lease, locked_until, ran out) resumes
-- after it and no account is visited twice. Only the lease_owner's
-- progress counts.
CREATE TABLE account_jobs (
    id           TEXT      NOT NULL PRIMARY KEY,
    store_id     TEXT      NOT NULL REFERENCES identity_stores (id) ON DELETE CASCADE,
    action       TEXT      NOT NULL,
    arg          TEXT      NOT NULL DEFAULT '',
    account_ids  TEXT      NOT NULL DEFAULT '[]',
    query        TEXT      NOT NULL DEFAULT '',
    status       TEXT      NOT NULL,
    total        BIGINT    NOT NULL DEFAULT 0,
    processed    BIGINT    NOT NULL DEFAULT 0,
    failed       BIGINT    NOT NULL DEFAULT 0,
    last_account TEXT      NOT NULL DEFAULT '',
    actor        TEXT      NOT NULL DEFAULT '{}',
    lease_owner  TEXT      NOT NULL DEFAULT '',
    locked_until TIMESTAMPTZ NULL,
    last_error   TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ NULL
);
CREATE INDEX account_jobs_store_created_idx ON account_jobs (store_id, created_at, id);
-- Nodes look for unfinished jobs only.
CREATE INDEX account_jobs_unfinished_idx ON account_jobs (created_at) WHERE status IN ('queued', 'running');

-- The accounts a job could not act on (gone, say), and why.
CREATE TABLE account_job_failures (
    job_id     TEXT      NOT NULL REFERENCES account_jobs (id) ON DELETE CASCADE,
    account_id TEXT      NOT NULL,
    error      TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (job_id, account_id)
);

-- A job over a whole store walks its accounts in id order (byte order,
-- whatever the database's collation: the cursor compares so).
CREATE INDEX accounts_store_id_idx ON accounts (store_id, id COLLATE "C");
