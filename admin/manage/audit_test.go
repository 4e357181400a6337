package manage_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// sliceWalker is a log held in memory, for tampering with it freely.
type sliceWalker []storage.AuditEntry

func (w sliceWalker) WalkAuditEntries(_ context.Context, fn func(storage.AuditEntry) error) error {
	for _, e := range w {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// chainKey is the key the test chains are hashed with.
var chainKey = []byte("audit chain key of the tests, 32+")

// memChain is an intact chain of n entries.
func memChain(n int) sliceWalker {
	out := make(sliceWalker, n)
	prev := ""
	for i := range out {
		e := storage.AuditEntry{Seq: int64(i + 1), ID: string(rune('a' + i)), CreatedAt: time.Unix(int64(i), 0).UTC(),
			ActorKind: storage.PrincipalSystem, Action: "store.created", TargetID: string(rune('a' + i)), PrevHash: prev}
		e.Hash = e.ComputeHash(chainKey)
		prev = e.Hash
		out[i] = e
	}
	return out
}

func TestVerifyAudit(t *testing.T) {
	t.Parallel()
	edited := memChain(5)
	edited[2].After = `{"name":"forged"}`
	deleted := memChain(5)
	deleted = append(deleted[:2], deleted[3:]...)
	deletedFirst := memChain(3)[1:]
	// Reordered: entries 2 and 3 swap places, their seq renumbered so the
	// sequence itself still looks whole.
	reordered := memChain(5)
	reordered[1], reordered[2] = reordered[2], reordered[1]
	reordered[1].Seq, reordered[2].Seq = 2, 3
	relinked := memChain(4)
	relinked[2].PrevHash = relinked[0].Hash // skips entry 2 but keeps its seq
	relinked[2].Hash = relinked[2].ComputeHash(chainKey)
	// Edited, then every later hash recomputed as the algorithm says, but
	// by someone without the key (the empty key, or another one).
	rehashed := rehash(memChain(5), 2, nil)
	rehashedOtherKey := rehash(memChain(5), 2, []byte("a guessed key"))
	rehashedWithKey := rehash(memChain(5), 2, chainKey) // what the key's holder could do

	for _, c := range []struct {
		name        string
		log         sliceWalker
		wantChecked int64
		wantSeq     int64 // 0: intact
	}{
		{"empty", nil, 0, 0},
		{"intact", memChain(5), 5, 0},
		{"edited", edited, 2, 3},
		{"deleted", deleted, 2, 4},
		{"deleted first", deletedFirst, 0, 2},
		{"reordered", reordered, 1, 2},
		{"relinked", relinked, 2, 3},
		{"rehashed without the key", rehashed, 2, 3},
		{"rehashed with another key", rehashedOtherKey, 2, 3},
		{"rehashed with the key", rehashedWithKey, 5, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			checked, err := manage.VerifyAudit(t.Context(), c.log, chainKey)
			if checked != c.wantChecked {
				t.Errorf("checked = %d, want %d", checked, c.wantChecked)
			}
			if c.wantSeq == 0 {
				if err != nil {
					t.Fatalf("VerifyAudit = %v, want nil", err)
				}
				return
			}
			var ce *manage.ChainError
			if !errors.As(err, &ce) || !errors.Is(err, manage.ErrAuditBroken) || ce.Seq != c.wantSeq {
				t.Fatalf("VerifyAudit = %v, want a chain error at seq %d", err, c.wantSeq)
			}
		})
	}
}

// rehash edits entry i and recomputes its hash and every later one under
// key, relinking each to the one before.
func rehash(log sliceWalker, i int, key []byte) sliceWalker {
	log[i].After = `{"name":"forged"}`
	for j := i; j < len(log); j++ {
		if j > 0 {
			log[j].PrevHash = log[j-1].Hash
		}
		log[j].Hash = log[j].ComputeHash(key)
	}
	return log
}

func TestVerifyAuditPassesWalkErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("database gone")
	_, err := manage.VerifyAudit(t.Context(), failingWalker{boom}, chainKey)
	if !errors.Is(err, boom) || errors.Is(err, manage.ErrAuditBroken) {
		t.Fatalf("VerifyAudit = %v, want the walk's error", err)
	}
}

type failingWalker struct{ err error }

func (f failingWalker) WalkAuditEntries(context.Context, func(storage.AuditEntry) error) error {
	return f.err
}

// seedAudit records three changes through Core.Apply: two in store eu,
// one in us.
func seedAudit(t *testing.T, s storage.Store) *manage.Core {
	t.Helper()
	core := manage.NewCore(s, nil)
	for _, ch := range []manage.Change{
		{Action: "store.created", TargetType: "store", TargetID: "eu", StoreID: "eu", After: map[string]string{"name": "EU"}},
		{Action: "store.created", TargetType: "store", TargetID: "us", StoreID: "us", After: map[string]string{"name": "US"}},
		{Action: "client.secret_rotated", TargetType: "client", TargetID: "c1", StoreID: "eu",
			Before: map[string]string{"secret": "old-secret"}, After: map[string]string{"secret": "new-secret"}},
	} {
		err := core.Apply(t.Context(), manage.System(), manage.WriteConfig, ch.StoreID, func(context.Context) (manage.Change, error) {
			return ch, nil
		})
		if err != nil {
			t.Fatalf("Apply %s: %v", ch.Action, err)
		}
	}
	return core
}

func actorWith(grants ...storage.AdminGrant) manage.Actor {
	return manage.Actor{Kind: storage.PrincipalAdministrator, ID: "a1", Name: "a@example.com", Grants: grants}
}

func TestExportAudit(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		s := newStore(t)
		seedAudit(t, s)
		audit := manage.NewAudit(s)

		var buf bytes.Buffer
		n, err := audit.ExportAudit(t.Context(), manage.System(), &buf, storage.AuditFilter{})
		if err != nil || n != 3 {
			t.Fatalf("ExportAudit = %d, %v; want 3", n, err)
		}
		recs := readLines(t, &buf)
		if len(recs) != 3 || recs[0].Seq != 1 || recs[2].Seq != 3 || recs[1].PrevHash != recs[0].Hash {
			t.Fatalf("export = %+v, want seq 1..3 in chain order", recs)
		}
		if string(recs[2].After) != `{"secret":"[redacted]"}` || bytes.Contains(buf.Bytes(), []byte("new-secret")) {
			t.Errorf("export shows a secret: %s", recs[2].After)
		}
		if checked, err := audit.Verify(t.Context(), manage.System()); err != nil || checked != 3 {
			t.Errorf("Verify = %d, %v; want 3, nil", checked, err)
		}

		// A store-limited auditor exports its store only.
		scoped := actorWith(storage.AdminGrant{Role: storage.RoleAuditor, StoreIDs: []string{"eu"}})
		buf.Reset()
		if n, err := audit.ExportAudit(t.Context(), scoped, &buf, storage.AuditFilter{StoreID: "eu", Action: "store."}); err != nil || n != 1 {
			t.Errorf("scoped export = %d, %v; want 1", n, err)
		}
		if recs := readLines(t, &buf); len(recs) != 1 || recs[0].TargetID != "eu" {
			t.Errorf("scoped export = %+v", recs)
		}
		refused := []struct {
			name  string
			actor manage.Actor
			f     storage.AuditFilter
		}{
			{"scoped auditor, whole log", scoped, storage.AuditFilter{}},
			{"scoped auditor, other store", scoped, storage.AuditFilter{StoreID: "us"}},
			{"support", actorWith(storage.AdminGrant{Role: storage.RoleSupport}), storage.AuditFilter{}},
			{"no grants", actorWith(), storage.AuditFilter{}},
		}
		for _, c := range refused {
			buf.Reset()
			if _, err := audit.ExportAudit(t.Context(), c.actor, &buf, c.f); !errors.Is(err, manage.ErrForbidden) || buf.Len() != 0 {
				t.Errorf("%s: ExportAudit = %v, wrote %d bytes; want ErrForbidden and nothing", c.name, err, buf.Len())
			}
			if _, err := audit.List(t.Context(), c.actor, c.f); !errors.Is(err, manage.ErrForbidden) {
				t.Errorf("%s: List = %v, want ErrForbidden", c.name, err)
			}
		}
		if _, err := audit.Verify(t.Context(), scoped); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("scoped Verify = %v, want ErrForbidden", err)
		}
		list, err := audit.List(t.Context(), actorWith(storage.AdminGrant{Role: storage.RoleAdmin}), storage.AuditFilter{Since: time.Now().Add(-time.Hour)})
		if err != nil || len(list) != 3 || list[0].Seq != 3 {
			t.Errorf("admin List = %d entries, %v; want 3, newest first", len(list), err)
		}
	})
}

func readLines(t *testing.T, buf *bytes.Buffer) []manage.AuditRecord {
	t.Helper()
	var out []manage.AuditRecord
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	for sc.Scan() {
		var r manage.AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}
