package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// launchApp creates an application with a client whose brand portal is
// uri, and its portal settings.
func launchApp(t *testing.T, srv *testServer, id, name, uri string, p storage.PortalSettings) string {
	t.Helper()
	ctx := t.Context()
	if err := srv.store.CreateApplication(ctx, &storage.Application{ID: id, StoreID: defaultStoreID, Name: name, PrimaryColor: "#aa3300"}); err != nil {
		t.Fatal(err)
	}
	clientID, _ := srv.client(t, authz.ClientSpec{ApplicationID: id, Name: name, RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, InitiateLoginURI: uri})
	p.ApplicationID = id
	if err := srv.store.SetPortalSettings(ctx, &p); err != nil {
		t.Fatal(err)
	}
	return clientID
}

func TestPortalLauncher(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := t.Context()
		shop := launchApp(t, srv, "shop", "Shop", "https://shop.example/login", storage.PortalSettings{LauncherEnabled: true})
		launchApp(t, srv, "vip", "VIP Lounge", "https://vip.example/login", storage.PortalSettings{LauncherEnabled: true, Groups: []string{"gold"}})
		launchApp(t, srv, "quiet", "Back Office", "https://office.example/login", storage.PortalSettings{})
		u := newPortalUser(t, srv, "alice@example.com")

		p := u.get("/account/apps")
		wantBody(t, "launcher", p, ">Shop</a>", `href="/oauth2/initiate?client_id=`+shop+`&amp;login_hint=alice%40example.com"`)
		for _, hidden := range []string{"VIP Lounge", "Back Office"} {
			if strings.Contains(p.body, hidden) {
				t.Errorf("launcher shows %q", hidden)
			}
		}
		gold := &storage.Group{StoreID: defaultStoreID, Name: "gold"}
		if err := srv.store.CreateGroup(ctx, gold); err != nil {
			t.Fatal(err)
		}
		if err := srv.store.AddGroupMember(ctx, gold.ID, u.account.ID); err != nil {
			t.Fatal(err)
		}
		wantBody(t, "member of gold", u.get("/account/apps"), ">VIP Lounge</a>")

		// A tile goes through authz's third-party initiated login to the
		// application's brand portal.
		resp, err := u.b.Get(srv.issuer + "/oauth2/initiate?client_id=" + shop + "&login_hint=alice%40example.com")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "https://shop.example/login?") {
			t.Errorf("tile: %d to %q", resp.StatusCode, loc)
		}
	})
}

func TestPortalFriendlyURLAndBranding(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	launchApp(t, srv, "acme", "Acme Travel", "https://acme.example/login", storage.PortalSettings{Slug: "acme"})
	launchApp(t, srv, "beta", "Beta Bank", "https://beta.example/login", storage.PortalSettings{})
	u := newPortalUser(t, srv, "alice@example.com")
	p := u.get("/a/acme")
	if p.url.Path != "/account/apps" {
		t.Fatalf("/a/acme led to %s", p.url)
	}
	wantBody(t, "friendly URL", p, "Acme Travel", "brand.css?c=aa3300")
	wantBody(t, "branding kept", u.get("/account/privacy"), "Acme Travel")
	wantBody(t, "?app=", u.get("/account/profile?app=beta"), "Beta Bank")
	wantStatus(t, "unknown slug", u.get("/a/nobody"), http.StatusNotFound)
	// Signed out, the friendly URL leads to the sign-in.
	b := newBrowser(t, srv.Listener.Addr().String())
	if p := b.get(srv.issuer + "/a/ACME"); !strings.Contains(p.body, `name="identifier"`) {
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

func TestPortalSessionLocation(t *testing.T) {
	t.Parallel()
	db := writeGeoIPDB(t)
	srv := startServerWith(t, sqltest.SQLite(t), func(c *Config) { c.GeoIPDB = db })
	u := newPortalUser(t, srv, "alice@example.com")
	wantBody(t, "location", u.get("/account/security"), "127.0.0.1 · Testville, Testland")
	// Without a database no location is shown.
	plain := startServer(t, sqltest.SQLite(t))
	v := newPortalUser(t, plain, "alice@example.com")
	if strings.Contains(v.get("/account/security").body, "Testville") {
		t.Error("location shown without a GeoIP database")
	}
}

func TestPortalBadGeoIPDatabaseFailsStart(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "broken.mmdb")
	if err := os.WriteFile(bad, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig()
	cfg.GeoIPDB = bad
	if _, err := newAccountPortal(cfg, sqltest.SQLite(t), []byte(testSecret), nil, nil, nil, nil, nil); err == nil {
		t.Fatal("a broken GeoIP database was accepted")
	}
}

func TestCLIAppPortalAndGroups(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("account", "create", "--email", "alice@example.com", "--password", alicePass); code != 0 {
		t.Fatalf("account create: %d %s", code, errOut)
	}
	if code, _, errOut := c.run("app", "portal", "set", "default", "--groups", "gold"); code != 1 || !strings.Contains(errOut, "no group") {
		t.Errorf("a restriction to a group that does not exist: %d %q", code, errOut)
	}
	for _, g := range []string{"gold", "staff"} {
		if code, _, errOut := c.run("group", "create", g); code != 0 {
			t.Fatalf("group create %s: %d %s", g, code, errOut)
		}
	}
	code, out, errOut := c.run("app", "portal", "set", "default", "--launcher=true", "--slug", "Acme", "--groups", "gold,staff", "--json")
	var got map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got["slug"] != "acme" || got["launcher"] != true {
		t.Fatalf("app portal set: %d %q %s", code, out, errOut)
	}
	code, out, _ = c.run("app", "portal", "show", "default")
	if code != 0 || !strings.Contains(out, "/a/acme") || !strings.Contains(out, "gold, staff") {
		t.Errorf("app portal show: %d %q", code, out)
	}
	for _, bad := range []struct {
		args []string
		code int
	}{
		{[]string{"app", "portal", "set", "default", "--slug", "no spaces"}, 2},
		{[]string{"app", "portal", "set", "default", "--launcher", "maybe"}, 2},
		{[]string{"app", "portal", "set", "default", "--groups", " , "}, 2},
		{[]string{"app", "portal", "set", "missing-app", "--launcher=true"}, 1},
		{[]string{"app", "portal", "set", "default"}, 2},
		{[]string{"group", "create", ""}, 2},
		{[]string{"group", "create", "a,b"}, 2},
		{[]string{"group", "create", "x", "--store", "nostore"}, 1},
	} {
		if code, _, errOut := c.run(bad.args...); code != bad.code || errOut == "" {
			t.Errorf("%v: exit %d %q, want %d and a message", bad.args, code, errOut, bad.code)
		}
	}
	if _, out, _ := c.run("app", "portal", "show", "default"); !strings.Contains(out, "gold, staff") {
		t.Errorf("refused changes changed the settings: %q", out)
	}
	for _, step := range [][]string{
		{"group", "add", "gold", "alice@example.com"}, {"group", "remove", "gold", "alice@example.com"},
	} {
		if code, _, errOut := c.run(step...); code != 0 {
			t.Fatalf("%v: %d %s", step, code, errOut)
		}
	}
	if code, _, _ := c.run("group", "create", "gold"); code == 0 {
		t.Error("duplicate group created")
	}
	if code, _, _ := c.run("group", "remove", "gold", "alice@example.com"); code == 0 {
		t.Error("removing a non-member succeeded")
	}
	if code, _, _ := c.run("group", "add", "gold", "nobody@example.com"); code == 0 {
		t.Error("adding an unknown account succeeded")
	}
}
