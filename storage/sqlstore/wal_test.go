package sqlstore_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// TestPurgeExpiredShrinksTheSQLiteWAL: a burst of interactions grows the
// SQLite write-ahead log by megabytes, and SQLite's own checkpoints never
// shrink it; once the purge has deleted the expired rows, the log is
// truncated.
func TestPurgeExpiredShrinksTheSQLiteWAL(t *testing.T) {
	t.Parallel()
	url := sqltest.SQLiteURL(t)
	s, err := sqlstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	wal := strings.TrimPrefix(url, "sqlite:") + "-wal"
	now := time.Now().UTC()
	request := strings.Repeat("x", 4<<10)
	for range 1500 {
		in := &storage.Interaction{ClientID: "c", Request: request, CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}
		if err := s.CreateInteraction(t.Context(), in); err != nil {
			t.Fatal(err)
		}
	}
	before := fileSize(t, wal)
	if before < 2<<20 {
		t.Fatalf("the burst left a %d-byte WAL; want several MiB for this test to mean anything", before)
	}
	n, err := s.PurgeExpired(t.Context(), now, now.Add(-24*time.Hour), 100000)
	if err != nil || n < 1500 {
		t.Fatalf("PurgeExpired: %d rows, %v", n, err)
	}
	if after := fileSize(t, wal); after >= 64<<10 {
		t.Fatalf("the WAL is %d bytes after the purge (%d before); want it truncated", after, before)
	}
	// The store goes on working over the truncated log.
	if err := s.CreateInteraction(t.Context(), &storage.Interaction{ClientID: "c", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
