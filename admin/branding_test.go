package admin

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

func testPNG(t *testing.T, w, h int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// An application's branding: read, replaced at its ETag (412 on a stale
// one), every problem at once, uploads judged by their bytes.
func TestApplicationBrandingAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		app := &storage.Application{StoreID: "eu", Name: "Shop"}
		if err := e.s.CreateApplication(t.Context(), app); err != nil {
			t.Fatal(err)
		}
		path := "/applications/" + app.ID + "/branding"
		got := e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, path, "", "")
		if got.Header().Get("ETag") != `"1"` || !strings.Contains(got.Body.String(), `"colors": {}`) {
			t.Fatalf("GET %s %s", got.Header(), got.Body)
		}
		e.must(t, http.StatusPreconditionRequired, "admin-bot", http.MethodPut, path, `{}`, "")
		e.must(t, http.StatusForbidden, "support-bot", http.MethodPut, path, `{}`, `"1"`)
		bad := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, path,
			`{"colors":{"bg":"red"},"extra_css":"@import 'x.css';","support_email":"not mail","terms_url":"http://shop.example/t"}`, `"1"`)
		for _, f := range []string{"colors.bg", "extra_css", "support_email", "terms_url"} {
			if !strings.Contains(bad.Body.String(), `"field": "`+f+`"`) {
				t.Errorf("no error for %s: %s", f, bad.Body)
			}
		}
		put := decodeBody[manage.BrandingView](t, e.must(t, http.StatusOK, "eu-bot", http.MethodPut, path,
			`{"colors":{"bg":"#fafafa"},"dark_colors":{"bg":"#000"},"support_url":"https://shop.example/help"}`, `"1"`))
		if put.Version != 2 || put.StyleURL == "" || put.SupportURL != "https://shop.example/help" {
			t.Fatalf("PUT answered %+v", put)
		}
		e.must(t, http.StatusPreconditionFailed, "admin-bot", http.MethodPut, path, `{}`, `"1"`)

		logo := e.must(t, http.StatusOK, "admin-bot", http.MethodPut, path+"/logo", testPNG(t, 64, 32), `"2"`)
		if v := decodeBody[manage.BrandingView](t, logo); !strings.HasPrefix(v.LogoURL, "/brand/") || v.Version != 3 || v.StyleURL != put.StyleURL {
			t.Fatalf("logo upload answered %+v", v)
		}
		e.must(t, http.StatusRequestEntityTooLarge, "admin-bot", http.MethodPut, path+"/logo",
			testPNG(t, 1, 1)+strings.Repeat("x", manage.MaxLogoBytes), `"3"`)
		e.must(t, http.StatusRequestEntityTooLarge, "admin-bot", http.MethodPut, path+"/favicon",
			strings.Repeat("x", manage.MaxFaviconBytes+1), `"3"`)
		wrong := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, path+"/logo", "GIF8 is not a gif", `"3"`)
		svg := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, path+"/logo",
			`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`, `"3"`)
		if !strings.Contains(wrong.Body.String(), "not a PNG") || !strings.Contains(svg.Body.String(), "SVG is not accepted") {
			t.Errorf("refusals: %s %s", wrong.Body, svg.Body)
		}
		e.must(t, http.StatusPreconditionFailed, "admin-bot", http.MethodDelete, path+"/logo", "", `"2"`)
		removed := decodeBody[manage.BrandingView](t, e.must(t, http.StatusOK, "admin-bot", http.MethodDelete, path+"/logo", "", `"3"`))
		if removed.LogoURL != "" || removed.Version != 4 {
			t.Errorf("after DELETE %+v", removed)
		}
		e.must(t, http.StatusNotFound, "admin-bot", http.MethodGet, "/applications/nope/branding", "", "")
	})
}

func TestOrganizationBrandingUploadAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		org := decodeBody[manage.Organization](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/stores/eu/organizations", `{"name":"Acme"}`, ""))
		path := "/stores/eu/organizations/" + org.ID + "/branding"
		e.must(t, http.StatusOK, "eu-bot", http.MethodPut, path, `{"colors":{"card":"#eeeeee"},"privacy_url":"https://acme.example/p"}`, `"1"`)
		e.must(t, http.StatusOK, "eu-bot", http.MethodPut, path+"/favicon", testPNG(t, 32, 32), `"2"`)
		stored, err := e.s.GetOrganization(t.Context(), "eu", org.ID)
		if err != nil || stored.Branding.FaviconAsset == "" || stored.Branding.StyleAsset == "" || stored.Branding.PrivacyURL != "https://acme.example/p" {
			t.Fatalf("stored %+v %v", stored, err)
		}
		if entry := lastEntry(t, e.s); entry.Action != "organization.branding_favicon_set" {
			t.Errorf("audit %s", entry.Action)
		}
		e.must(t, http.StatusNotFound, "eu-bot", http.MethodGet, "/stores/eu/organizations/nope/branding", "", "")
		e.must(t, http.StatusForbidden, "support-bot", http.MethodDelete, path+"/favicon", "", `"3"`)
	})
}
