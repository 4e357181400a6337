package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/storage/sqlstore/sqltest"
)

// routedServer is a server with every route mounted (the dev outbox
// included), not listening.
func routedServer(t *testing.T) *server {
	t.Helper()
	store := sqltest.SQLite(t)
	cfg := defaultConfig()
	cfg.Issuer = "http://localhost:8080"
	cfg.DevOutbox = true
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	if err := bootstrap(ctx, cfg, store, []byte(testSecret), io.Discard, log); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	srv, err := newServer(ctx, cfg, store, []byte(testSecret), log)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// endpoint is one method and path template the router serves.
type endpoint struct{ method, path string }

// endpoints lists what the router serves: each route with methods, by its
// path template (HEAD goes with GET and is not listed).
func endpoints(t *testing.T, router *mux.Router) []endpoint {
	t.Helper()
	var out []endpoint
	err := router.Walk(func(rt *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		methods, _ := rt.GetMethods()
		if len(methods) == 0 {
			return nil // a route that only groups others
		}
		path, err := rt.GetPathTemplate()
		if err != nil {
			return err
		}
		for _, m := range methods {
			if m != http.MethodHead {
				out = append(out, endpoint{m, path})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNamedRoutesServe builds a URL from every named route and checks that
// the router serves it with that very route, so no link or redirect built
// from a name leads nowhere.
func TestNamedRoutesServe(t *testing.T) {
	t.Parallel()
	srv := routedServer(t)
	urls := route.New(srv.router)
	// The contract's names must all be mounted.
	for _, name := range []string{route.Authorize, route.Resume, route.Token, route.Initiate, route.Login,
		route.AccountHome, route.AccountCallback} {
		if srv.router.Get(name) == nil {
			t.Errorf("no route named %q", name)
		}
	}
	named := 0
	err := srv.router.Walk(func(rt *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		name := rt.GetName()
		if name == "" {
			return nil
		}
		named++
		want, _ := rt.GetPathTemplate()
		vars, _ := rt.GetVarNames()
		var pairs []string
		for _, v := range vars {
			pairs = append(pairs, v, "some-"+v)
		}
		u := urls.Path(name, url.Values{"q": {"1"}}, pairs...)
		served := false
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			var match mux.RouteMatch
			if srv.router.Match(httptest.NewRequest(method, u, nil), &match) && match.MatchErr == nil {
				got, _ := match.Route.GetPathTemplate()
				if got != want {
					t.Errorf("%s %s (route %q) is served by %s", method, u, name, got)
				}
				served = true
			}
		}
		if !served {
			t.Errorf("route %q builds %s, which the router does not serve", name, u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if named < 40 {
		t.Errorf("only %d named routes", named)
	}
}

// TestOtherMethodsGet405 keeps net/http's answer to a known path asked
// with a method it does not serve.
func TestOtherMethodsGet405(t *testing.T) {
	t.Parallel()
	srv := routedServer(t)
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPut, "/login", "GET, HEAD, POST"},
		{http.MethodPost, "/oauth2/auth/resume", "GET, HEAD"},
		{http.MethodGet, "/oauth2/token", "POST"},
		{http.MethodPatch, "/admin/api/v1/clients/x", "DELETE, GET, HEAD, PUT"},
		{http.MethodPost, "/static/app.css", "GET, HEAD"},
		{http.MethodPost, "/account/apps", "GET, HEAD"},
	} {
		w := httptest.NewRecorder()
		srv.handler.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", c.method, c.path, w.Code)
		}
		if w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, w.Header().Get("Allow"), c.allow)
		}
	}
	for _, path := range []string{"/healthz", "/login?interaction=x", "/.well-known/openid-configuration"} {
		w := httptest.NewRecorder()
		srv.handler.ServeHTTP(w, httptest.NewRequest(http.MethodHead, path, nil))
		if w.Code == http.StatusMethodNotAllowed || w.Code == http.StatusNotFound {
			t.Errorf("HEAD %s: %d, want it answered as GET", path, w.Code)
		}
	}
}

// readmeRow is a row of the README's Endpoints table: methods (none: any)
// and a path, or a prefix when the path ends in "/...".
type readmeRow struct {
	methods []string
	path    string
	prefix  bool
}

func (r readmeRow) covers(e endpoint) bool {
	if len(r.methods) > 0 && !slices.Contains(r.methods, e.method) {
		return false
	}
	if r.prefix {
		return strings.HasPrefix(e.path, r.path)
	}
	return e.path == r.path
}

// readmeEndpoints parses the Endpoints table of the README.
func readmeEndpoints(t *testing.T) []readmeRow {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## Endpoints\n")
	if !ok {
		t.Fatal("README has no Endpoints section")
	}
	table, _, _ = strings.Cut(table, "\n\n\n")
	var rows []readmeRow
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[2:] {
		if !strings.HasPrefix(line, "| `") {
			break
		}
		cell := strings.TrimPrefix(line, "| `")
		cell, _, _ = strings.Cut(cell, "`")
		slash := strings.Index(cell, "/")
		var row readmeRow
		for _, m := range strings.Split(strings.TrimSpace(cell[:slash]), ",") {
			if m = strings.TrimSpace(m); m != "" {
				row.methods = append(row.methods, m)
			}
		}
		row.path, _, _ = strings.Cut(cell[slash:], "?")
		if p, ok := strings.CutSuffix(row.path, "..."); ok {
			row.path, row.prefix = p, true
		}
		rows = append(rows, row)
	}
	return rows
}

// TestReadmeListsEveryRoute compares the README's Endpoints table (a
// public contract) with the router, both ways.
func TestReadmeListsEveryRoute(t *testing.T) {
	t.Parallel()
	srv := routedServer(t)
	served := endpoints(t, srv.router)
	rows := readmeEndpoints(t)
	if len(rows) < 20 {
		t.Fatalf("parsed only %d rows of the Endpoints table", len(rows))
	}
	for _, e := range served {
		if !slices.ContainsFunc(rows, func(r readmeRow) bool { return r.covers(e) }) {
			t.Errorf("%s %s is served but not in the README's Endpoints table", e.method, e.path)
		}
	}
	for _, r := range rows {
		if r.prefix {
			if !slices.ContainsFunc(served, r.covers) {
				t.Errorf("README lists %v %s... but nothing under it is served", r.methods, r.path)
			}
			continue
		}
		for _, m := range r.methods {
			if !slices.Contains(served, endpoint{m, r.path}) {
				t.Errorf("README lists %s %s, which is not served", m, r.path)
			}
		}
		if len(r.methods) == 0 {
			t.Errorf("README row %s names no method", r.path)
		}
	}
}
