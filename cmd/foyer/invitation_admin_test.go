package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// An invitation sent through the admin API of a running server carries a
// link that starts at this issuer's /oauth2/initiate and takes the
// browser to the client's brand portal with the invitation's login hint.
func TestAdminAPIInvitationLink(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("brand portal"))
	}))
	defer portal.Close()
	clientID, _ := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		InitiateLoginURI: portal.URL + "/start", GrantTypes: []string{"authorization_code"}})
	api, _ := newAdminAPI(t, srv)
	sent := api.do(http.MethodPost, "/stores/"+defaultStoreID+"/invitations",
		map[string]any{"client_id": clientID, "email": "new.hire@example.com"}).expect(t, "send", http.StatusCreated, "")
	if sent.body["status"] != "pending" || sent.body["client_id"] != clientID {
		t.Fatalf("sent %s", sent.raw)
	}
	api.do(http.MethodPost, "/stores/"+defaultStoreID+"/invitations",
		map[string]any{"client_id": clientID, "email": "bad"}).expect(t, "bad address", http.StatusUnprocessableEntity, "email")

	msgs, err := srv.store.ListNotifications(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	var link string
	for _, m := range msgs {
		if m.To == "new.hire@example.com" && m.Kind == "invitation" {
			link = regexp.MustCompile(regexp.QuoteMeta(srv.issuer+authz.InitiatePath) + `\?\S+`).FindString(m.Text)
		}
	}
	if link == "" {
		t.Fatalf("no invitation e-mail with a link to %s in %+v", srv.issuer+authz.InitiatePath, msgs)
	}
	to := newBrowser(t, srv.Listener.Addr().String()).get(link).location(t)
	hint := to.Query().Get("login_hint")
	if !strings.HasPrefix(to.String(), portal.URL+"/start?") || !strings.HasPrefix(hint, "invitation:") || to.Query().Get("iss") != srv.issuer {
		t.Fatalf("the link led to %s", to)
	}
	if strings.Contains(string(sent.raw), strings.TrimPrefix(hint, "invitation:")) {
		t.Error("the API's answer shows the invitation's token")
	}
}
