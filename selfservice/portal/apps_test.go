package portal

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"foyer/storage"
	"foyer/themes"
)

// launchApp creates an application with a client whose brand portal is
// uri, and its portal settings; it returns the client's id.
func launchApp(t *testing.T, e *testEnv, id, name, uri string, p storage.PortalSettings) string {
	t.Helper()
	ctx := t.Context()
	if err := e.store.CreateApplication(ctx, &storage.Application{ID: id, StoreID: testStoreID, Name: name, PrimaryColor: "#aa3300"}); err != nil {
		t.Fatal(err)
	}
	clientID := id + "-client"
	e.appClient(t, id, clientID, name, uri)
	p.ApplicationID = id
	if err := e.store.SetPortalSettings(ctx, &p); err != nil {
		t.Fatal(err)
	}
	return clientID
}

// TestLauncher: the launcher shows the applications with a brand portal
// and the launcher on, to their groups only; a tile links to authz's third
// party initiated login (tested in authz).
func TestLauncher(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		shop := launchApp(t, e, "shop", "Shop", "https://shop.example/login", storage.PortalSettings{LauncherEnabled: true})
		launchApp(t, e, "vip", "VIP Lounge", "https://vip.example/login", storage.PortalSettings{LauncherEnabled: true, Groups: []string{"gold"}})
		launchApp(t, e, "quiet", "Back Office", "https://office.example/login", storage.PortalSettings{})
		u := e.signedIn(t, "alice@example.com")

		p := u.get("/account/apps")
		wantBody(t, "launcher", p, "Your applications", "alice@example.com", `href="/account/profile"`,
			">Shop</a>", `href="/oauth2/initiate?client_id=`+shop+`&amp;login_hint=alice%40example.com"`)
		for _, hidden := range []string{"VIP Lounge", "Back Office"} {
			if strings.Contains(p.body, hidden) {
				t.Errorf("launcher shows %q", hidden)
			}
		}
		gold := &storage.Group{StoreID: testStoreID, Name: "gold"}
		if err := e.store.CreateGroup(ctx, gold); err != nil {
			t.Fatal(err)
		}
		if err := e.store.AddGroupMember(ctx, gold.ID, u.account.ID); err != nil {
			t.Fatal(err)
		}
		wantBody(t, "member of gold", u.get("/account/apps"), ">VIP Lounge</a>")
	})
}

func TestFriendlyURLAndBranding(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	launchApp(t, e, "acme", "Acme Travel", "https://acme.example/login", storage.PortalSettings{Slug: "acme"})
	launchApp(t, e, "beta", "Beta Bank", "https://beta.example/login", storage.PortalSettings{})
	u := e.signedIn(t, "alice@example.com")
	p := u.get("/a/acme")
	if p.url.Path != "/account/apps" {
		t.Fatalf("/a/acme led to %s", p.url)
	}
	wantBody(t, "friendly URL", p, "Acme Travel", "brand.css?c=aa3300")
	wantBody(t, "branding kept", u.get("/account/privacy"), "Acme Travel")
	wantBody(t, "?app=", u.get("/account/profile?app=beta"), "Beta Bank")
	wantStatus(t, "unknown slug", u.get("/a/nobody"), http.StatusNotFound)
	// Signed out, the friendly URL leads to the sign-in.
	if p := e.browser(t, u.account, "").get("/a/ACME"); !p.toSignIn() {
		t.Errorf("signed-out /a/ACME: %d at %s", p.status, p.url)
	}
}

// writeGeoIPDB builds a tiny MaxMind City database placing loopback in
// Testville, Testland.
func writeGeoIPDB(t *testing.T) string {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", IncludeReservedNetworks: true, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	rec := mmdbtype.Map{
		"city":    mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Testville")}},
		"country": mmdbtype.Map{"iso_code": mmdbtype.String("TL"), "names": mmdbtype.Map{"en": mmdbtype.String("Testland")}},
	}
	if err := w.Insert(loopback, rec); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "city.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSessionLocation(t *testing.T) {
	t.Parallel()
	db := writeGeoIPDB(t)
	e := newEnvWith(t, nil, func(c *Config) { c.GeoIPPath = db })
	u := e.signedIn(t, "alice@example.com")
	wantBody(t, "location", u.get("/account/security"), "127.0.0.1 · Testville, Testland")
	// Without a database no location is shown.
	plain := newEnv(t, nil)
	v := plain.signedIn(t, "alice@example.com")
	if strings.Contains(v.get("/account/security").body, "Testville") {
		t.Error("location shown without a GeoIP database")
	}
}

func TestBadGeoIPDatabaseFailsNew(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "broken.mmdb")
	if err := os.WriteFile(bad, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{Issuer: "http://id.example", ClientID: "portal", CookieKey: make([]byte, 32), GeoIPPath: bad}, Deps{Renderer: r})
	if err == nil || !strings.Contains(err.Error(), "GeoIP") {
		t.Fatalf("a broken GeoIP database was accepted: %v", err)
	}
	if _, err := New(Config{Issuer: "http://id.example", ClientID: "portal", CookieKey: make([]byte, 32)}, Deps{}); err == nil {
		t.Fatal("New without a Renderer succeeded")
	}
}
