package storagetest

import (
	"bytes"
	"testing"
	"time"

	"foyer/storage"
)

// Clients carry a version for optimistic concurrency, the previous secret
// of a rotation, and page by id.
func testClientVersions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	c := &storage.Client{ID: unique("versioned"), ApplicationID: "app-1", Name: "V", SecretHash: []byte{1}}
	must(t, "CreateClient", s.CreateClient(ctx, c))
	if c.Version != 1 {
		t.Fatalf("created at version %d, want 1", c.Version)
	}
	stale := *c
	expires := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
	c.PreviousSecretHash, c.PreviousSecretExpiresAt, c.SecretHash = []byte{1}, &expires, []byte{2}
	must(t, "UpdateClient at version 1", s.UpdateClient(ctx, c))
	if c.Version != 2 {
		t.Fatalf("updated to version %d, want 2", c.Version)
	}
	got, err := s.GetClient(ctx, c.ID)
	must(t, "GetClient", err)
	if got.Version != 2 || !bytes.Equal(got.PreviousSecretHash, []byte{1}) || got.PreviousSecretExpiresAt == nil ||
		!got.PreviousSecretExpiresAt.Equal(expires) || !bytes.Equal(got.SecretHash, []byte{2}) {
		t.Fatalf("stored %+v", got)
	}
	stale.Name = "lost update"
	wantErr(t, "UpdateClient at a stale version", s.UpdateClient(ctx, &stale), storage.ErrStale)
	if got, _ := s.GetClient(ctx, c.ID); got.Name != "V" || got.Version != 2 {
		t.Fatalf("a stale update changed the client: %+v", got)
	}
	unchecked := *got
	unchecked.Version, unchecked.PreviousSecretHash, unchecked.PreviousSecretExpiresAt = 0, nil, nil
	must(t, "UpdateClient without a version", s.UpdateClient(ctx, &unchecked))
	if got, _ := s.GetClient(ctx, c.ID); got.Version != 3 || got.PreviousSecretHash != nil || got.PreviousSecretExpiresAt != nil {
		t.Fatalf("after an unchecked update: %+v", got)
	}
	wantErr(t, "UpdateClient missing at a version", s.UpdateClient(ctx, &storage.Client{ID: "missing", Version: 4}), storage.ErrNotFound)

	prefix := unique("page") + "-"
	for _, suffix := range []string{"c", "a", "b"} {
		must(t, "CreateClient", s.CreateClient(ctx, &storage.Client{ID: prefix + suffix, ApplicationID: "app-1"}))
	}
	page, err := s.ListClientsPage(ctx, prefix, 2)
	must(t, "ListClientsPage", err)
	if len(page) != 2 || page[0].ID != prefix+"a" || page[1].ID != prefix+"b" {
		t.Fatalf("first page %v", clientIDsOf(page))
	}
	page, err = s.ListClientsPage(ctx, prefix+"b", 1)
	must(t, "ListClientsPage after", err)
	if len(page) != 1 || page[0].ID != prefix+"c" {
		t.Fatalf("next page %v", clientIDsOf(page))
	}
}

func clientIDsOf(cs []storage.Client) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}
