package selfservice

import (
	"net/http"
	"testing"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
)

// The activation page and the signup-attempt mail link to the portal of
// the account's store: no store for the default store's client, ?store=
// for another store's, nothing for a store without a portal.
func TestAccountPortalLink(t *testing.T) {
	t.Parallel()
	r := mux.NewRouter()
	route.Handle(r, route.AccountHome, "/account", route.Methods{http.MethodGet: func(http.ResponseWriter, *http.Request) {}})
	perStore := func(storeID string) string {
		switch storeID {
		case "default":
			return "foyer-account"
		case "administrators":
			return ""
		}
		return "foyer-account-" + storeID
	}
	for _, c := range []struct {
		name    string
		cfg     Config
		storeID string
		want    string
	}{
		{"default store", Config{PortalClientID: "foyer-account", PortalClientFor: perStore}, "default", "https://id.example/account"},
		{"another store", Config{PortalClientID: "foyer-account", PortalClientFor: perStore}, "eu", "https://id.example/account?store=eu"},
		{"administrators", Config{PortalClientID: "foyer-account", PortalClientFor: perStore}, "administrators", ""},
		{"one portal only", Config{PortalClientID: "foyer-account"}, "eu", "https://id.example/account"},
		{"no portal", Config{}, "eu", ""},
	} {
		c.cfg.Issuer = "https://id.example"
		h := &Handler{cfg: c.cfg, routes: route.New(r)}
		if got := h.accountPortalLink(c.storeID); got != c.want {
			t.Errorf("%s: link %q, want %q", c.name, got, c.want)
		}
	}
}
