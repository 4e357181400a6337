package console

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// upload posts a catalog file as the Languages page's form does.
func (br *browser) upload(t *testing.T, path, lang, catalog string) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField(formTokenField, br.e.handler.formToken(br.b))
	_ = mw.WriteField("lang", lang)
	if catalog != "" {
		fw, err := mw.CreateFormFile("catalog", lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(catalog))
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, br.e.server.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", br.e.server.URL)
	return br.do(t, req)
}

// TestLanguagesPages: a store's Languages page lists the built-in
// catalogs with download links; an uploaded package appears with its
// counts and can be downloaded and deleted; a catalog with an unknown key
// and a changed placeholder is refused with each problem listed; an
// application has its own page; an auditor sees no upload form.
func TestLanguagesPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin, storeA)))
	list := "/admin/stores/" + storeA + "/languages"
	page := br.get(t, list)
	for _, want := range []string{`href="` + list + `" aria-current="page"`, `<label for="lang">`, `<label for="catalog">`,
		`enctype="multipart/form-data"`, `href="` + list + `/de.json"`, ">Deutsch</span>"} {
		if page.status != http.StatusOK || !strings.Contains(page.body, want) {
			t.Errorf("list lacks %q (%d)", want, page.status)
		}
	}
	if dl := br.get(t, list+"/de.json"); dl.status != http.StatusOK || !strings.Contains(dl.body, `"login.title": "Anmelden"`) {
		t.Errorf("download: %d %.200s", dl.status, dl.body)
	}
	bad := br.upload(t, list, "ko", `{"no.such.key": "x", "logout.confirm": "Se déconnecter ?"}`)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "no.such.key: unknown key") ||
		!strings.Contains(bad.body, "logout.confirm: placeholders") {
		t.Errorf("bad upload: %d %s", bad.status, bad.body)
	}
	if r := br.upload(t, list, "ko", ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="catalog-error"`) {
		t.Errorf("upload without a file: %d", r.status)
	}
	ok := br.upload(t, list, "ko", `{"login.title": "Connexion"}`)
	if ok.status != http.StatusSeeOther || ok.location != list+"?notice=saved" {
		t.Fatalf("upload: %d %q %s", ok.status, ok.location, ok.body)
	}
	page = br.get(t, list)
	if !strings.Contains(page.body, ">한국어</span>") || !strings.Contains(page.body, "1 translated,") ||
		!strings.Contains(page.body, `action="`+list+`/ko/delete"`) {
		t.Errorf("list after upload: %s", page.body)
	}
	if dl := br.get(t, list+"/ko.json"); !strings.Contains(dl.body, `"login.title": "Connexion"`) {
		t.Errorf("download of the package: %s", dl.body)
	}
	if del := br.post(t, list+"/ko/delete", url.Values{}); del.status != http.StatusSeeOther {
		t.Errorf("delete: %d", del.status)
	}
	if strings.Contains(br.get(t, list).body, "한국어") {
		t.Error("the package is still listed")
	}
	if got := e.auditActions(t); len(got) < 2 || got[0] != "translation.deleted" || got[1] != "translation.uploaded" {
		t.Errorf("audit: %v", got)
	}

	app := &storage.Application{ID: "shop", StoreID: storeA, Name: "Shop"}
	if err := e.store.CreateApplication(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	if p := br.get(t, "/admin/applications/shop"); !strings.Contains(p.body, `href="/admin/applications/shop/languages"`) {
		t.Error("the application page does not link its languages")
	}
	appList := "/admin/applications/shop/languages"
	if r := br.upload(t, appList, "sv", `{"login.title": "Logga in"}`); r.status != http.StatusSeeOther {
		t.Fatalf("application upload: %d %s", r.status, r.body)
	}
	if p := br.get(t, appList); !strings.Contains(p.body, ">Svenska</span>") {
		t.Errorf("application list: %s", p.body)
	}
	auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
	if p := auditor.get(t, list); p.status != http.StatusOK || strings.Contains(p.body, `<label for="catalog">`) {
		t.Errorf("auditor: %d, upload form shown", p.status)
	}
	other := e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleAdmin, storeB)))
	if p := other.get(t, list); p.status != http.StatusNotFound && p.status != http.StatusForbidden {
		t.Errorf("another store's administrator: %d", p.status)
	}
}
