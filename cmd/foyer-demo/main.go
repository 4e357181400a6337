// Command foyer-demo is a minimal relying party for trying Foyer: it signs
// a user in with the authorization-code flow (PKCE S256 and a nonce),
// verifies the ID token with go-oidc and shows its claims and UserInfo.
//
//	go run ./cmd/foyer-demo -client-id ID -client-secret SECRET
//
// then open http://127.0.0.1:9000/. Its brand portal, /start, is where
// Foyer's invitation and activation links lead (register it as the
// client's initiate_login_uri; portal.go).
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

type pending struct{ nonce, verifier, target string }

type demo struct {
	issuer   string // Foyer's issuer URL, which /start checks iss against
	self     string // the demo's own origin, where target_link_uri must lie
	oauth    oauth2.Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	mu       sync.Mutex
	flows    map[string]pending // by state
}

func main() {
	issuer := flag.String("issuer", "http://localhost:8080", "Foyer's issuer URL")
	clientID := flag.String("client-id", "", "client id (required)")
	secret := flag.String("client-secret", "", "client secret (empty for a public client)")
	listen := flag.String("listen", "127.0.0.1:9000", "address to serve on")
	flag.Parse()
	if *clientID == "" {
		fmt.Fprintln(os.Stderr, "foyer-demo: -client-id is required")
		os.Exit(2)
	}
	provider, err := oidc.NewProvider(context.Background(), *issuer)
	if err != nil {
		log.Fatalf("foyer-demo: discovery at %s: %v", *issuer, err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	d := &demo{
		issuer: *issuer, self: "http://" + *listen,
		oauth: oauth2.Config{
			ClientID: *clientID, ClientSecret: *secret, Endpoint: endpoint,
			RedirectURL: "http://" + *listen + "/callback",
			Scopes:      []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess},
		},
		provider: provider,
		verifier: provider.Verifier(&oidc.Config{ClientID: *clientID}),
		flows:    map[string]pending{},
	}
	log.Printf("foyer-demo: open http://%s/ to sign in; its brand portal is http://%s/start", *listen, *listen)
	srv := &http.Server{Addr: *listen, Handler: d.routes(), ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

func (d *demo) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", d.start)
	mux.HandleFunc("GET /start", d.portal)
	mux.HandleFunc("GET /callback", d.callback)
	return mux
}

func (d *demo) start(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, d.authorize(pending{}), http.StatusFound)
}

// authorize remembers a new flow (state, nonce, PKCE verifier) and returns
// its authorization request; extra parameters (login_hint) go along.
func (d *demo) authorize(p pending, extra ...oauth2.AuthCodeOption) string {
	p.nonce, p.verifier = random(), oauth2.GenerateVerifier()
	state := random()
	d.mu.Lock()
	d.flows[state] = p
	d.mu.Unlock()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(p.verifier), oidc.Nonce(p.nonce)}, extra...)
	return d.oauth.AuthCodeURL(state, opts...)
}

func (d *demo) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d.mu.Lock()
	p, ok := d.flows[q.Get("state")]
	delete(d.flows, q.Get("state"))
	d.mu.Unlock()
	switch {
	case q.Get("error") != "":
		show(w, "Foyer returned an error", map[string]string{"error": q.Get("error"), "error_description": q.Get("error_description")})
		return
	case !ok:
		show(w, "Unknown state", map[string]string{"hint": "start again at /"})
		return
	}
	tok, err := d.oauth.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(p.verifier))
	if err != nil {
		show(w, "Code exchange failed", err.Error())
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idToken, err := d.verifier.Verify(r.Context(), raw)
	if err != nil || idToken.Nonce != p.nonce {
		show(w, "ID token rejected", fmt.Sprint(err))
		return
	}
	var claims map[string]any
	_ = idToken.Claims(&claims)
	var userinfo map[string]any
	if info, err := d.provider.UserInfo(r.Context(), oauth2.StaticTokenSource(tok)); err == nil {
		_ = info.Claims(&userinfo)
	}
	show(w, "Signed in", map[string]any{"id_token_claims": claims, "userinfo": userinfo,
		"has_refresh_token": tok.RefreshToken != "", "target_link_uri": p.target})
}

var page = template.Must(template.New("p").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Foyer demo</title></head><body><h1>{{.Title}}</h1><pre>{{.Body}}</pre><p><a href="/">Sign in again</a></p></body></html>`))

func show(w http.ResponseWriter, title string, v any) {
	body, _ := json.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, map[string]string{"Title": title, "Body": string(body)})
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
