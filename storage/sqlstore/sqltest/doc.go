// Package sqltest gives tests a migrated sqlstore.Store of their own: a
// SQLite file in the test's temporary directory, or a PostgreSQL database
// with a random name that is dropped when the test ends, so test packages
// run in parallel without sharing rows.
//
// PostgreSQL comes from FOYER_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); that database is
// only used to CREATE and DROP the per-test ones. An unreachable server
// fails the test; set FOYER_TEST_POSTGRES=off to skip PostgreSQL instead.
//
// Recorder and OpenRecorded keep the SQL statements each request ran, for
// the tests that a known and an unknown identifier cost the same work.
package sqltest
