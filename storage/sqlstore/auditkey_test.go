package sqlstore_test

import (
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// WithAuditKey keys the chain: entries hash under the key, not under the
// empty key a store without the option uses.
func TestAuditChainUsesTheKey(t *testing.T) {
	t.Parallel()
	key := []byte("the audit chain's key, 32 bytes+")
	s, err := sqlstore.Open(t.Context(), sqltest.SQLiteURL(t), sqlstore.WithAuditKey(key))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		e := &storage.AuditEntry{ActorKind: storage.PrincipalSystem, Action: "store.created", TargetType: "store", TargetID: "eu"}
		if err := s.AppendAuditEntry(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	err = s.WalkAuditEntries(t.Context(), func(e storage.AuditEntry) error {
		if e.Hash != e.ComputeHash(key) || e.Hash == e.ComputeHash(nil) {
			t.Errorf("entry %d: hash %s, want the keyed %s", e.Seq, e.Hash, e.ComputeHash(key))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
