-- Foyer schema, version 37 (postgres): bucketed counters for the budgets on
-- new interactions (README, "Authorization request limits").
-- Keep in step with the other dialect's 0037_attempt_counters.sql.
--
-- login_attempts keeps one row per attempt, so counting a window reads as
-- many rows as the window holds: 10,000 under the global key at its
-- budget. A counter keeps one row per key and bucket (a bucket is the
-- start of a fixed slice of time, chosen by the caller: 10 seconds for
-- the budgets), so a window of W reads at most W / width + 1 rows
-- whatever the traffic. counter_key is a digest, like attempt_key: no
-- addresses are stored.
--
-- The budgets' counts in login_attempts are not carried over: an upgrade
-- forgets the new interactions of the last ten minutes.

CREATE TABLE attempt_counters (
    counter_key TEXT        NOT NULL,
    bucket      TIMESTAMPTZ NOT NULL,
    n           INTEGER     NOT NULL,
    PRIMARY KEY (counter_key, bucket)
);
-- The purge picks expired buckets by time.
CREATE INDEX attempt_counters_bucket_idx ON attempt_counters (bucket);
