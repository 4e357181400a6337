package fositestore

import (
	"bytes"
	"testing"
	"time"

	"github.com/ory/fosite"

	"foyer/storage"
)

// The previous secret of a rotation is offered to fosite until its
// expiry by the store's clock, and never after (nor without an expiry).
func TestRotatedHashes(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := start.Add(time.Hour)
	c := &clock{t: start}
	client := newClientAt(&storage.Client{ID: "x", SecretHash: []byte{2}, PreviousSecretHash: []byte{1}, PreviousSecretExpiresAt: &exp}, c.now)
	var rotation fosite.ClientWithSecretRotation = client
	if got := rotation.GetRotatedHashes(); len(got) != 1 || !bytes.Equal(got[0], []byte{1}) {
		t.Fatalf("during the overlap: %v", got)
	}
	c.t = exp.Add(-time.Nanosecond)
	if got := rotation.GetRotatedHashes(); len(got) != 1 {
		t.Fatalf("just before the end: %v", got)
	}
	c.t = exp
	if got := rotation.GetRotatedHashes(); got != nil {
		t.Fatalf("at the end of the overlap: %v", got)
	}
	noExpiry := newClientAt(&storage.Client{ID: "y", PreviousSecretHash: []byte{1}}, c.now)
	if got := noExpiry.GetRotatedHashes(); got != nil {
		t.Fatalf("a previous secret without an expiry: %v", got)
	}
	if got := newClientAt(&storage.Client{ID: "z"}, c.now).GetRotatedHashes(); got != nil {
		t.Fatalf("no previous secret: %v", got)
	}
}
