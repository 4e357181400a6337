package upstream

import (
	"context"
	"errors"
	"testing"

	"foyer/storage"
)

const (
	tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tenantB = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// entraProvider is the Entra preset at issuer.
func entraProvider(issuer string) *storage.UpstreamProvider {
	p := oidcProvider(issuer)
	p.Preset = storage.PresetEntra
	return p
}

// TestEntraMultiTenant: the multi-tenant discovery document names the
// issuer template, and each ID token must name its own tenant's issuer.
func TestEntraMultiTenant(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token func(base string, claims map[string]any)
		iss   func(base string) string // the callback's RFC 9207 iss
		want  error
	}{
		{"tenant issuer of its tid", func(string, map[string]any) {}, nil, nil},
		{"callback iss in the tenant form", func(string, map[string]any) {},
			func(base string) string { return base + "/" + tenantA + "/v2.0" }, nil},
		{"callback iss as configured", func(string, map[string]any) {},
			func(base string) string { return base + "/common/v2.0" }, nil},
		{"callback iss of another tenant", func(string, map[string]any) {},
			func(base string) string { return base + "/" + tenantB + "/v2.0" }, ErrDenied},
		{"callback iss elsewhere", func(string, map[string]any) {},
			func(string) string { return "https://evil.example/" + tenantA + "/v2.0" }, ErrDenied},
		{"issuer of another tenant than its tid", func(_ string, c map[string]any) { c["tid"] = tenantB }, nil, ErrDenied},
		{"no tid", func(_ string, c map[string]any) { delete(c, "tid") }, nil, ErrDenied},
		{"tid not a GUID", func(base string, c map[string]any) { c["tid"], c["iss"] = "common", base+"/common/v2.0" }, nil, ErrDenied},
		{"the template itself", func(base string, c map[string]any) { c["iss"] = base + "/{tenantid}/v2.0" }, nil, ErrDenied},
		{"issuer on another host", func(_ string, c map[string]any) { c["iss"] = "https://evil.example/" + tenantA + "/v2.0" }, nil, ErrDenied},
		{"wrong nonce still refused", func(_ string, c map[string]any) { c["nonce"] = "n-2" }, nil, ErrDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t, func(f *fakeUpstream) {
				f.Issuer = f.URL + "/{tenantid}/v2.0"
				f.IDToken = idToken(f.URL + "/" + tenantA + "/v2.0")
				f.IDToken["tid"] = tenantA
				tc.token(f.URL, f.IDToken)
			})
			iss := ""
			if tc.iss != nil {
				iss = tc.iss(f.URL)
			}
			id, err := finish(c, entraProvider(f.URL+"/common/v2.0"), iss)
			if !errors.Is(err, tc.want) || (tc.want == nil && (err != nil || id.Subject != "u-1")) {
				t.Errorf("Finish = %+v, %v; want %v", id, err, tc.want)
			}
		})
	}
}

// TestEntraDiscovery: lenient discovery only for the Entra preset's
// multi-tenant issuers, and only for a template on the configured host.
func TestEntraDiscovery(t *testing.T) {
	for _, tc := range []struct {
		name       string
		discovered string // the document's issuer, after the fake's URL
		p          func(base string) *storage.UpstreamProvider
		want       error
	}{
		{"organizations", "/{tenantid}/v2.0", func(b string) *storage.UpstreamProvider { return entraProvider(b + "/organizations/v2.0") }, nil},
		{"template on another host", "", func(b string) *storage.UpstreamProvider { return entraProvider(b + "/common/v2.0") }, ErrUnavailable},
		{"tenant issuer is strict", "/{tenantid}/v2.0", func(b string) *storage.UpstreamProvider { return entraProvider(b + "/" + tenantA + "/v2.0") }, ErrUnavailable},
		{"tenant issuer matching", "/" + tenantA + "/v2.0", func(b string) *storage.UpstreamProvider { return entraProvider(b + "/" + tenantA + "/v2.0") }, nil},
		{"no preset is strict", "/{tenantid}/v2.0", func(b string) *storage.UpstreamProvider { return oidcProvider(b + "/common/v2.0") }, ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t, func(f *fakeUpstream) {
				f.Issuer = f.URL + tc.discovered
				if tc.discovered == "" {
					f.Issuer = "https://evil.example/{tenantid}/v2.0"
				}
			})
			if err := c.Check(context.Background(), tc.p(f.URL)); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("Check = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestEntraTenantIssuer: a tenant's own issuer gets go-oidc's strict check.
func TestEntraTenantIssuer(t *testing.T) {
	for _, tokenTenant := range []string{tenantA, tenantB} {
		f, c := newFake(t, func(f *fakeUpstream) {
			f.Issuer = f.URL + "/" + tenantA + "/v2.0"
			f.IDToken = idToken(f.URL + "/" + tokenTenant + "/v2.0")
			f.IDToken["tid"] = tokenTenant
		})
		_, err := finish(c, entraProvider(f.URL+"/"+tenantA+"/v2.0"), "")
		if ok := err == nil; ok != (tokenTenant == tenantA) {
			t.Errorf("token of tenant %s: Finish = %v", tokenTenant, err)
		}
	}
}

func TestIsGUID(t *testing.T) {
	for s, want := range map[string]bool{
		tenantA: true, "72F988BF-86F1-41AF-91AB-2D7CD011DB47": true, "": false, "common": false,
		"72f988bf-86f1-41af-91ab-2d7cd011db4": false, "72f988bf-86f1-41af-91ab-2d7cd011db4g": false,
		"72f988bf086f1-41af-91ab-2d7cd011db47": false, "72f988bf-86f1-41af-91ab-2d7cd011db47/": false,
	} {
		if isGUID(s) != want {
			t.Errorf("isGUID(%q) = %v", s, !want)
		}
	}
}
