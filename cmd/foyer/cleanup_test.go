package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestPurgeDeletesInBoundedBatches: the cleanup deletes everything that
// expired, however much, in statements of at most the batch size, and
// leaves what is still live.
func TestPurgeDeletesInBoundedBatches(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		store := newStore(t)
		ctx := t.Context()
		now := time.Now().UTC()
		for i := range 25 {
			tok := &storage.Token{Kind: storage.TokenAccess, Signature: fmt.Sprintf("expired-%d", i), RequestID: "r",
				ClientID: "c", Active: true, CreatedAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(-2 * time.Hour)}
			if err := store.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			in := &storage.Interaction{ID: fmt.Sprintf("old-%d", i), ClientID: "c", ExpiresAt: now.Add(-time.Minute)}
			if err := store.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		live := &storage.Token{Kind: storage.TokenAccess, Signature: "live", RequestID: "r", ClientID: "c", Active: true,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := store.CreateToken(ctx, live); err != nil {
			t.Fatal(err)
		}
		purge(ctx, store, now, purgeBatch{size: 10, pause: time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if n, err := store.DeleteExpiredTokens(ctx, now.Add(-time.Hour), 100); err != nil || n != 0 {
			t.Errorf("after purge, %d expired tokens were left (%v)", n, err)
		}
		if n, err := store.PurgeExpired(ctx, now, now.Add(-24*time.Hour), 100); err != nil || n != 0 {
			t.Errorf("after purge, %d expired rows were left (%v)", n, err)
		}
		if _, err := store.GetToken(ctx, storage.TokenAccess, "live"); err != nil {
			t.Errorf("the live token went too: %v", err)
		}
	})
}

// TestCleanupIntervalConfig: FOYER_CLEANUP_INTERVAL is ten minutes by
// default, 0 turns a node's own cleanup off (a scheduler runs foyer
// cleanup instead), and anything under a minute or not a duration is
// refused with the variable named.
func TestCleanupIntervalConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 10 * time.Minute, true},
		{"1h", time.Hour, true},
		{"0", 0, true},
		{"30s", 0, false},
		{"-10m", 0, false},
		{"hourly", 0, false},
	} {
		env := map[string]string{"FOYER_CLEANUP_INTERVAL": tc.value}
		cfg, err := loadConfig("", func(k string) string { return env[k] })
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok=%v", tc.value, err, tc.ok)
			continue
		}
		if tc.ok && cfg.cleanupInterval() != tc.want {
			t.Errorf("%q: interval = %v, want %v", tc.value, cfg.cleanupInterval(), tc.want)
		}
		if !tc.ok && !strings.Contains(err.Error(), "FOYER_CLEANUP_INTERVAL") {
			t.Errorf("%q: error %q does not name the variable", tc.value, err)
		}
	}
}
