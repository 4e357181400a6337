package admin

import (
	"strings"
	"testing"

	"foyer/storage"
)

func (ts testSealer) SealUpstreamSecret(providerID, field string, plain []byte) ([]byte, error) {
	return ts.s.Seal(plain, []byte(providerID+"\x00"+field))
}

const idpPath = "/stores/eu/identity-providers"

func TestUpstreamsAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		ctx := t.Context()
		if err := e.s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "us", Name: "us",
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
		body := `{"preset":"google","client_id":"cid","client_secret":"top-secret-value","claim_mapping":{"email":"email"}}`
		rec := e.must(t, 201, "eu-bot", "POST", idpPath, body, "")
		created := decodeBody[map[string]any](t, rec)
		id, _ := created["id"].(string)
		if rec.Header().Get("ETag") != `"1"` || rec.Header().Get("Location") != APIPrefix+idpPath+"/"+id ||
			created["name"] != "Google" || created["client_secret_set"] != true || created["enabled"] != true ||
			created["redirect_uri"] != "https://id.example/login/external/"+id+"/callback" {
			t.Fatalf("created: %v %s", rec.Header(), rec.Body)
		}
		if strings.Contains(rec.Body.String(), "top-secret-value") {
			t.Fatalf("the answer holds the secret: %s", rec.Body)
		}

		// Problems: strict JSON, validation (every field at once), roles,
		// another store.
		e.must(t, 400, "eu-bot", "POST", idpPath, `{"name":"X","clientid":"c"}`, "")
		e.must(t, 400, "eu-bot", "POST", idpPath, `{"name":"X","name":"Y"}`, "")
		rec = e.must(t, 422, "eu-bot", "POST", idpPath, `{"kind":"oauth2","claim_mapping":{"shoe":"s"}}`, "")
		for _, f := range []string{`"name"`, `"auth_url"`, `"client_id"`, `"claim_mapping"`} {
			if !strings.Contains(rec.Body.String(), f) {
				t.Errorf("422 does not name %s: %s", f, rec.Body)
			}
		}
		e.must(t, 409, "eu-bot", "POST", idpPath, body, "")
		e.must(t, 403, "support-bot", "POST", idpPath, body, "")
		e.must(t, 404, "eu-bot", "GET", "/stores/us/identity-providers", "", "")
		e.must(t, 404, "eu-bot", "POST", "/stores/us/identity-providers", body, "")
		e.must(t, 404, "admin-bot", "GET", "/stores/us/identity-providers/"+id, "", "")

		list := decodeBody[struct{ Items []map[string]any }](t, e.must(t, 200, "auditor-bot", "GET", idpPath, "", ""))
		if len(list.Items) != 1 || list.Items[0]["id"] != id {
			t.Fatalf("list = %+v", list)
		}

		// GET, edit, PUT back with the read-only fields; the secret kept.
		rec = e.must(t, 200, "eu-bot", "GET", idpPath+"/"+id, "", "")
		got := decodeBody[map[string]any](t, rec)
		got["name"], got["enabled"] = "Google (staff)", false
		e.must(t, 428, "eu-bot", "PUT", idpPath+"/"+id, encode(t, got), "")
		rec = e.must(t, 200, "eu-bot", "PUT", idpPath+"/"+id, encode(t, got), `"1"`)
		put := decodeBody[map[string]any](t, rec)
		if rec.Header().Get("ETag") != `"2"` || put["name"] != "Google (staff)" || put["enabled"] != false || put["client_secret_set"] != true {
			t.Fatalf("PUT = %s", rec.Body)
		}
		e.must(t, 412, "eu-bot", "PUT", idpPath+"/"+id, encode(t, got), `"1"`)
		got["store_id"] = "us"
		e.must(t, 400, "eu-bot", "PUT", idpPath+"/"+id, encode(t, got), `"2"`)

		// Linked accounts: 409 in words.
		acct := &storage.Account{StoreID: "eu", Email: "m@example.com"}
		if err := e.s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		if err := e.s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: id, Subject: "sub"}); err != nil {
			t.Fatal(err)
		}
		rec = e.must(t, 409, "eu-bot", "DELETE", idpPath+"/"+id, "", `"2"`)
		if !strings.Contains(rec.Body.String(), "1 account signs in") {
			t.Errorf("409 = %s", rec.Body)
		}
		if err := e.s.UnlinkExternalIdentity(ctx, acct.ID, id, "sub"); err != nil {
			t.Fatal(err)
		}
		e.must(t, 412, "eu-bot", "DELETE", idpPath+"/"+id, "", `"1"`)
		e.must(t, 204, "eu-bot", "DELETE", idpPath+"/"+id, "", `"2"`)
		e.must(t, 404, "eu-bot", "GET", idpPath+"/"+id, "", "")
	})
}
