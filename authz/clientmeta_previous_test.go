package authz_test

import (
	"testing"
	"time"

	"foyer/authz"
	"foyer/storage"
)

// A rotation's previous secret survives a metadata change but not the
// loss or replacement of the secret it was the predecessor of: once the
// client stops using a secret, or is issued a new one by an update, the
// rotated-out secret must not keep working until its expiry.
func TestUpdateClientEndsARotationOverlap(t *testing.T) {
	t.Parallel()
	spec := authz.ClientSpec{Name: "RP", GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://rp.example/cb"}}
	c, _, err := authz.NewClient(spec)
	if err != nil {
		t.Fatal(err)
	}
	overlap := func(c *storage.Client) {
		until := time.Now().Add(time.Hour)
		c.PreviousSecretHash, c.PreviousSecretExpiresAt = []byte("previous"), &until
	}
	overlap(c)
	spec.Name = "RP 2"
	if _, err := authz.UpdateClient(c, spec); err != nil || c.PreviousSecretHash == nil || c.PreviousSecretExpiresAt == nil {
		t.Fatalf("a rename ended the overlap: %v %+v", err, c)
	}
	spec.TokenEndpointAuthMethod = authz.AuthMethodNone
	if _, err := authz.UpdateClient(c, spec); err != nil || c.SecretHash != nil || c.PreviousSecretHash != nil || c.PreviousSecretExpiresAt != nil {
		t.Fatalf("to public: the previous secret stayed: %v %+v", err, c)
	}
	overlap(c) // as a database edited by hand might hold
	spec.TokenEndpointAuthMethod = authz.AuthMethodPost
	if secret, err := authz.UpdateClient(c, spec); err != nil || secret == "" || c.PreviousSecretHash != nil || c.PreviousSecretExpiresAt != nil {
		t.Fatalf("a new secret by update: the previous secret stayed: %v %+v", err, c)
	}
}
