package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// "foyer app policy set" offers upstream providers of the application's
// store in the order given, trusts one's MFA and lets invitees use them;
// an unknown or another store's provider and trust of one not offered
// are refused; other edits leave the external part as it was.
func TestCLIExternalPolicy(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("store", "create", "Elsewhere", "--id", "elsewhere"); code != 0 {
		t.Fatalf("store create: %d %s", code, errOut)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	mk := func(storeID, name string) string {
		p := &storage.UpstreamProvider{StoreID: storeID, Name: name, Kind: storage.UpstreamOIDC, Issuer: "https://idp.example", ClientID: "c", Enabled: true}
		if err := s.CreateUpstreamProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	google, zeta, other := mk(defaultStoreID, "Google"), mk(defaultStoreID, "Zeta"), mk("elsewhere", "Contoso")
	for _, r := range []struct {
		args []string
		says string
	}{
		{[]string{"--external-providers", google + ",nope"}, `"nope"`},
		{[]string{"--external-providers", other}, other},
		{[]string{"--external-providers", google, "--external-trust-mfa", zeta}, "not offered"},
	} {
		if code, _, errOut := c.run(append([]string{"app", "policy", "set"}, r.args...)...); code != 2 || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", r.args, code, errOut, r.says)
		}
	}
	code, out, errOut := c.run("app", "policy", "set", "--external-providers", zeta+", "+google, "--external-trust-mfa", google,
		"--external-invitations", "on", "--json")
	var p storage.SelfServicePolicy
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil || !slices.Equal(p.External.Providers, []string{zeta, google}) ||
		!slices.Equal(p.External.TrustMFA, []string{google}) || !p.External.Invitations {
		t.Fatalf("set: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := c.run("app", "policy", "set", "--registration", "off"); code != 0 {
		t.Fatalf("another edit: %d %s", code, errOut)
	}
	if code, out, _ := c.run("app", "policy", "show"); code != 0 || !strings.Contains(out, zeta+", "+google) || !strings.Contains(out, "trusted for MFA:") {
		t.Errorf("show: %d %q", code, out)
	}
}
