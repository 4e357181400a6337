package storagetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"foyer/storage"
)

func testSigningKeys(t *testing.T, s storage.Store) {
	ctx := t.Context()
	var keys []*storage.SigningKey
	for i, alg := range []string{"RS256", "ES256", "ES256"} {
		k := &storage.SigningKey{ID: unique("kid"), Algorithm: alg, Status: storage.KeyActive,
			PrivateKeyEncrypted: []byte{byte(i), 0, 0xfe}, PublicJWK: []byte(`{"kty":"EC"}`),
			CreatedAt: at(time.Duration(i)*time.Hour + 1234567)}
		must(t, "CreateSigningKey", s.CreateSigningKey(ctx, k))
		keys = append(keys, k)
	}
	wantErr(t, "CreateSigningKey duplicate", s.CreateSigningKey(ctx, &storage.SigningKey{ID: keys[0].ID, Algorithm: "ES256"}), storage.ErrConflict)

	retired := at(2*time.Hour + 3*time.Millisecond)
	must(t, "RetireSigningKey", s.RetireSigningKey(ctx, keys[0].ID, retired))
	wantErr(t, "RetireSigningKey missing", s.RetireSigningKey(ctx, "missing", retired), storage.ErrNotFound)

	list, err := s.ListSigningKeys(ctx)
	must(t, "ListSigningKeys", err)
	if len(list) != 3 {
		t.Fatalf("ListSigningKeys returned %d keys, want 3", len(list))
	}
	for i, got := range list {
		want := keys[len(keys)-1-i] // newest first
		if got.ID != want.ID || got.Algorithm != want.Algorithm ||
			!bytes.Equal(got.PrivateKeyEncrypted, want.PrivateKeyEncrypted) || !bytes.Equal(got.PublicJWK, want.PublicJWK) {
			t.Errorf("ListSigningKeys[%d] = %+v, want %+v", i, got, want)
		}
		sameTime(t, "key CreatedAt", got.CreatedAt, want.CreatedAt)
	}
	old := list[2]
	if old.Status != storage.KeyRetired || old.RetiredAt == nil {
		t.Fatalf("retired key = %+v, want status retired with RetiredAt", old)
	}
	sameTime(t, "RetiredAt", *old.RetiredAt, retired)
	if list[0].Status != storage.KeyActive || list[0].RetiredAt != nil {
		t.Errorf("active key = %+v, want active without RetiredAt", list[0])
	}
}

func testEvents(t *testing.T, s storage.Store) {
	ctx := t.Context()
	var events []*storage.Event
	for i := range 3 {
		e := &storage.Event{AccountID: "acct-a", Kind: fmt.Sprintf("login.%d", i), Actor: "acct-a", IP: "198.51.100.1",
			Data: map[string]string{"client_id": "c1", "n": fmt.Sprint(i)}, CreatedAt: at(time.Duration(i) * time.Minute)}
		must(t, "AppendEvent", s.AppendEvent(ctx, e))
		events = append(events, e)
	}
	must(t, "AppendEvent other account", s.AppendEvent(ctx, &storage.Event{AccountID: "acct-b", Kind: "login.x", Actor: "system"}))
	must(t, "AppendEvent without account", s.AppendEvent(ctx, &storage.Event{Kind: "client.created", Actor: "system"}))
	if events[0].ID == "" {
		t.Errorf("AppendEvent left ID unset")
	}

	for _, c := range []struct {
		limit int
		want  int
	}{{10, 3}, {2, 2}, {1, 1}} {
		list, err := s.ListEvents(ctx, "acct-a", c.limit)
		must(t, "ListEvents", err)
		if len(list) != c.want {
			t.Fatalf("ListEvents(limit %d) returned %d, want %d", c.limit, len(list), c.want)
		}
		for i, got := range list {
			want := events[len(events)-1-i] // newest first
			if got.ID != want.ID || got.Kind != want.Kind || got.Actor != want.Actor || got.IP != want.IP ||
				got.AccountID != "acct-a" || !equalMaps(got.Data, want.Data) {
				t.Errorf("ListEvents[%d] = %+v, want %+v", i, got, want)
			}
			sameTime(t, "event CreatedAt", got.CreatedAt, want.CreatedAt)
		}
	}
	list, err := s.ListEvents(ctx, "acct-none", 10)
	if err != nil || len(list) != 0 {
		t.Errorf("ListEvents of an account without events = %v, %v; want none", list, err)
	}
}

func testSettings(t *testing.T, s storage.Store) {
	ctx := t.Context()
	_, err := s.GetSetting(ctx, "bootstrap")
	wantErr(t, "GetSetting unset", err, storage.ErrNotFound)
	for _, c := range []struct {
		value  string
		stored bool
	}{{"first", true}, {"second", false}} {
		stored, err := s.SetSettingIfAbsent(ctx, "bootstrap", c.value)
		if err != nil || stored != c.stored {
			t.Errorf("SetSettingIfAbsent(%q) = %v, %v; want %v", c.value, stored, err, c.stored)
		}
	}
	got, err := s.GetSetting(ctx, "bootstrap")
	if err != nil || got != "first" {
		t.Errorf("GetSetting = %q, %v; want first", got, err)
	}

	// Concurrent starters agree on one value.
	const n = 16
	stored := make([]bool, n)
	errs := race(n, func(i int) error {
		var err error
		stored[i], err = s.SetSettingIfAbsent(ctx, "race", fmt.Sprint(i))
		return err
	})
	winner := -1
	for i := range n {
		must(t, "SetSettingIfAbsent concurrently", errs[i])
		if stored[i] {
			if winner >= 0 {
				t.Fatalf("SetSettingIfAbsent stored for both %d and %d", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("SetSettingIfAbsent stored for none of %d callers", n)
	}
	got, err = s.GetSetting(ctx, "race")
	if err != nil || got != fmt.Sprint(winner) {
		t.Errorf("GetSetting(race) = %q, %v; want the winner's %d", got, err, winner)
	}
}

func testTransactions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	t.Run("rollback leaves nothing", func(t *testing.T) {
		txCtx, err := s.BeginTx(ctx)
		must(t, "BeginTx", err)
		c := &storage.Client{ID: unique("tx-client")}
		must(t, "CreateClient in tx", s.CreateClient(txCtx, c))
		tok := newToken(c.ID, storage.TokenAccess, "req-tx")
		must(t, "CreateToken in tx", s.CreateToken(txCtx, tok))
		if _, err := s.GetClient(txCtx, c.ID); err != nil {
			t.Errorf("GetClient inside the transaction: %v", err)
		}
		must(t, "Rollback", s.Rollback(txCtx))
		_, err = s.GetClient(ctx, c.ID)
		wantErr(t, "GetClient after rollback", err, storage.ErrNotFound)
		_, err = s.GetToken(ctx, tok.Kind, tok.Signature)
		wantErr(t, "GetToken after rollback", err, storage.ErrNotFound)
	})
	t.Run("commit persists", func(t *testing.T) {
		txCtx, err := s.BeginTx(ctx)
		must(t, "BeginTx", err)
		c := &storage.Client{ID: unique("tx-client")}
		must(t, "CreateClient in tx", s.CreateClient(txCtx, c))
		stored, err := s.SetSettingIfAbsent(txCtx, "tx-setting", "v")
		if err != nil || !stored {
			t.Errorf("SetSettingIfAbsent in tx = %v, %v", stored, err)
		}
		must(t, "Commit", s.Commit(txCtx))
		_, err = s.GetClient(ctx, c.ID)
		must(t, "GetClient after commit", err)
		if v, err := s.GetSetting(ctx, "tx-setting"); err != nil || v != "v" {
			t.Errorf("GetSetting after commit = %q, %v", v, err)
		}
	})
	t.Run("DeleteClient inside a transaction", func(t *testing.T) {
		c := &storage.Client{ID: unique("tx-client")}
		must(t, "CreateClient", s.CreateClient(ctx, c))
		txCtx, err := s.BeginTx(ctx)
		must(t, "BeginTx", err)
		must(t, "DeleteClient in tx", s.DeleteClient(txCtx, c.ID))
		must(t, "Rollback", s.Rollback(txCtx))
		_, err = s.GetClient(ctx, c.ID)
		must(t, "GetClient after rolled-back delete", err)
	})
}
