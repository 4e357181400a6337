package manage

import (
	"strings"
	"testing"
	"time"
)

// A client's audit view keeps its authentication method and the expiry
// of its secrets, and loses the secret itself.
func TestClientAuditView(t *testing.T) {
	t.Parallel()
	never := int64(0)
	until := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	out, err := auditJSON(Client{ClientID: "c", ClientSecret: "s3cr3t-value", ClientSecretExpiresAt: &never,
		ClientInput:             ClientInput{TokenEndpointAuthMethod: "client_secret_post"},
		PreviousSecretExpiresAt: &until})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"client_secret":"` + Redacted + `"`, `"token_endpoint_auth_method":"client_secret_post"`,
		`"previous_secret_expires_at":"2030-01-01T00:00:00Z"`, `"client_secret_expires_at":0`} {
		if !strings.Contains(out, want) {
			t.Errorf("audit view %s lacks %s", out, want)
		}
	}
	if strings.Contains(out, "s3cr3t-value") {
		t.Fatalf("the secret is in the audit view: %s", out)
	}
}
