// Package migrations owns Foyer's database schema: versioned SQL files for
// each dialect (sqlite/NNNN_name.sql, postgres/NNNN_name.sql), embedded in
// the binary, and the runner that applies the pending ones.
//
// Migrations only ever add: a file, once released, is never edited, and no
// migration drops data. The applied versions are recorded in
// schema_migrations; a database that records a version newer than this
// binary knows is refused rather than touched, so an old node cannot run
// against a schema it does not understand.
//
// It imports nothing of ours so that cmd/foyer, storage/sqlstore and tools
// can all use it over a plain *sql.DB.
package migrations
