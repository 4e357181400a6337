package admin

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/themes"
)

func testRenderer(t *testing.T) *themes.Renderer {
	t.Helper()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const trPath = "/stores/eu/translations"

// TestTranslationsAPI: a store's and an application's packages are
// uploaded, listed, downloaded and deleted; uploads with unknown keys,
// changed placeholders, a bad tag or a bad body are refused with every
// problem named; each change is audited.
func TestTranslationsAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		ctx := t.Context()
		if err := e.s.CreateApplication(ctx, &storage.Application{ID: "shop", StoreID: "eu", Name: "Shop"}); err != nil {
			t.Fatal(err)
		}
		// The download of a language without a package is the built-in
		// catalog, English filling the gaps: complete. (French ships;
		// Korean, below, does not.)
		en := decodeBody[map[string]string](t, e.must(t, 200, "auditor-bot", "GET", trPath+"/en", "", ""))
		de := decodeBody[map[string]string](t, e.must(t, 200, "auditor-bot", "GET", trPath+"/de", "", ""))
		fr := decodeBody[map[string]string](t, e.must(t, 200, "auditor-bot", "GET", trPath+"/fr", "", ""))
		if len(en) < 100 || len(de) != len(en) || de["login.title"] != "Anmelden" || fr["login.title"] == "Sign in" {
			t.Fatalf("downloads: %d %d %q %q", len(en), len(de), de["login.title"], fr["login.title"])
		}

		body := `{"login.title": "Connexion", "logout.confirm": "Se déconnecter de %s ?"}`
		rec := e.must(t, 200, "eu-bot", "PUT", trPath+"/ko", body, "")
		up := decodeBody[map[string]any](t, rec)
		if up["language"] != "ko" || up["name"] != "한국어" || up["keys"] != float64(2) ||
			up["missing"] != float64(len(en)-2) || up["package"] != true || up["built_in"] != false {
			t.Fatalf("upload answer: %s", rec.Body)
		}
		got := decodeBody[map[string]string](t, e.must(t, 200, "eu-bot", "GET", trPath+"/ko", "", ""))
		if len(got) != 2 || got["logout.confirm"] != "Se déconnecter de %s ?" {
			t.Errorf("round trip: %v", got)
		}
		// An application's download starts from its store's package.
		appFr := decodeBody[map[string]string](t, e.must(t, 200, "eu-bot", "GET", "/applications/shop/translations/ko", "", ""))
		if appFr["login.title"] != "Connexion" || appFr["login.submit"] != "Sign in" {
			t.Errorf("application download: %q %q", appFr["login.title"], appFr["login.submit"])
		}
		e.must(t, 200, "eu-bot", "PUT", "/applications/shop/translations/sv", `{"login.title": "Logga in"}`, "")
		list := decodeBody[struct{ Items []map[string]any }](t, e.must(t, 200, "eu-bot", "GET", trPath, "", ""))
		var langs []string
		for _, it := range list.Items {
			langs = append(langs, it["language"].(string))
		}
		// The shipped catalogs and the store's package; not the application's.
		if !slices.Contains(langs, "de") || !slices.Contains(langs, "fr") || !slices.Contains(langs, "ko") || slices.Contains(langs, "sv") {
			t.Errorf("store languages = %v", langs)
		}
		list = decodeBody[struct{ Items []map[string]any }](t, e.must(t, 200, "eu-bot", "GET", "/applications/shop/translations", "", ""))
		// The shipped catalogs and its own package (sv) in place of the store's (ko).
		if n := len(list.Items); n != len(langs) || list.Items[n-1]["language"] != "sv" || list.Items[n-1]["name"] != "Svenska" {
			t.Errorf("application languages = %v", list.Items)
		}

		// Refusals: every problem of the catalog at once, per key.
		rec = e.must(t, 422, "eu-bot", "PUT", trPath+"/ko",
			`{"login.title": "", "no.such.key": "x", "logout.confirm": "Se déconnecter ?", "email.footer": "%d %s"}`, "")
		var problem struct {
			Errors []struct{ Field, Detail string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &problem); err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, f := range problem.Errors {
			fields = append(fields, f.Field)
		}
		if strings.Join(fields, ",") != "catalog.email.footer,catalog.login.title,catalog.logout.confirm,catalog.no.such.key" {
			t.Errorf("problems = %s", rec.Body)
		}
		rec = e.must(t, 422, "eu-bot", "PUT", "/stores/eu/translations/not-a-language!", `{"login.title": "x"}`, "")
		if !strings.Contains(rec.Body.String(), `"language"`) {
			t.Errorf("bad tag: %s", rec.Body)
		}
		e.must(t, 422, "eu-bot", "PUT", trPath+"/ko", `["x"]`, "")
		e.must(t, 422, "eu-bot", "PUT", trPath+"/ko", `{"login.title": 3}`, "")
		e.must(t, 400, "eu-bot", "PUT", trPath+"/ko", strings.Repeat(" ", themes.MaxCatalogSize+1)+"{}", "")
		e.must(t, 403, "support-bot", "PUT", trPath+"/ko", body, "")
		e.must(t, 404, "eu-bot", "GET", "/stores/nope/translations", "", "")
		e.must(t, 404, "eu-bot", "PUT", "/applications/nope/translations/ko", body, "")
		got = decodeBody[map[string]string](t, e.must(t, 200, "eu-bot", "GET", trPath+"/ko", "", ""))
		if got["login.title"] != "Connexion" {
			t.Errorf("a refused upload changed the package: %v", got)
		}

		e.must(t, 204, "eu-bot", "DELETE", trPath+"/ko", "", "")
		e.must(t, 404, "eu-bot", "DELETE", trPath+"/ko", "", "")
		entries, err := e.s.ListAuditEntries(ctx, storage.AuditFilter{Action: "translation.", StoreID: "eu"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action+" "+en.TargetID)
		}
		if strings.Join(actions, ";") != "translation.deleted eu/ko;translation.uploaded eu/shop/sv;translation.uploaded eu/ko" {
			t.Errorf("audit = %v", actions)
		}
	})
}
