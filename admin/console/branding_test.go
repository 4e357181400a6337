package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// postMultipart submits fields and files as the branding form does.
func (br *browser) postMultipart(t *testing.T, path string, fields url.Values, files map[string][]byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if fields.Get(formTokenField) == "" {
		fields.Set(formTokenField, br.e.handler.formToken(br.b))
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile(name, name+".bin")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, br.e.server.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", br.e.server.URL)
	return br.do(t, req)
}

func consolePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestApplicationBrandingPage: the page is linked from the application,
// its form (colours with pickers, extra CSS, links, uploads) saves and
// shows refusals beside their fields, the logo can be removed, and the
// preview renders the real sign-in page and e-mails with the unsaved
// values, changing nothing.
func TestApplicationBrandingPage(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newEnv(t, newStore(t))
		ctx := context.Background()
		app := &storage.Application{StoreID: storeA, Name: "Shop"}
		if err := e.store.CreateApplication(ctx, app); err != nil {
			t.Fatal(err)
		}
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		path := "/admin/applications/" + app.ID + "/branding"
		if got := br.get(t, "/admin/applications/"+app.ID); !strings.Contains(got.body, `href="`+path+`"`) {
			t.Fatalf("the application page does not link its branding")
		}
		page := br.get(t, path)
		for _, want := range []string{`<label for="colors.bg">`, `id="pick.colors.bg" name="pick.colors.bg" type="color"`,
			`<label for="dark_colors.primary">`, `<label for="extra_css">`, `<label for="support_url">`, `<label for="logo">`,
			`enctype="multipart/form-data"`, `formtarget="_blank"`, `<option value="activation">`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the branding page lacks %s", want)
			}
		}
		if strings.Contains(page.body, `name="colors.primary"`) {
			t.Error("the light primary colour belongs to the application's own form")
		}

		bad := br.postMultipart(t, path, url.Values{"version": {"1"}, "colors.bg": {"red"}, "extra_css": {"@import 'x.css';"},
			"support_email": {"Help <help@shop.example>"}}, nil)
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="colors.bg-error"`) ||
			!strings.Contains(bad.body, `id="extra-css-error"`) || !strings.Contains(bad.body, `id="support_email-error"`) ||
			!strings.Contains(bad.body, `value="red"`) {
			t.Fatalf("refused save: %d\n%s", bad.status, bad.body)
		}

		logo := consolePNG(t, 80, 20)
		saved := br.postMultipart(t, path, url.Values{"version": {"1"}, "colors.text": {"#222222"},
			"pick.colors.bg": {"#abcdef"}, "start.colors.bg": {"#f3f4f6"}, "pick.colors.card": {"#ffffff"}, "start.colors.card": {"#ffffff"},
			"support_url": {"https://shop.example/help"}}, map[string][]byte{"logo": logo})
		if saved.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", saved.status, saved.body)
		}
		got, err := e.store.GetApplication(ctx, app.ID)
		if err != nil || got.Branding.Colors["bg"] != "#abcdef" || got.Branding.Colors["text"] != "#222222" ||
			got.Branding.Colors["card"] != "" || got.Branding.LogoAsset == "" || got.Branding.StyleAsset == "" {
			t.Fatalf("stored %+v %v", got.Branding, err)
		}
		if page := br.get(t, path); !strings.Contains(page.body, `src="/brand/`+got.Branding.LogoAsset+`"`) {
			t.Error("the page does not show the current logo")
		}

		draftLogo := consolePNG(t, 30, 30)
		preview := br.postMultipart(t, path+"/preview", url.Values{"version": {"1"}, "colors.bg": {"#0a0b0c"}, "preview": {"signin"}},
			map[string][]byte{"logo": draftLogo})
		if preview.status != http.StatusOK || !strings.Contains(preview.body, `src="/brand/`+sha(draftLogo)+`"`) ||
			!strings.Contains(preview.body, `id="identifier"`) || strings.Contains(preview.body, got.Branding.LogoAsset) {
			t.Fatalf("sign-in preview: %d\n%s", preview.status, preview.body)
		}
		// The draft stylesheet is stored under its hash for the page to
		// link (layout.html links Branding.Stylesheets).
		css, _ := themes.BrandStylesheet(map[string]string{"bg": "#0a0b0c"}, nil, "")
		if a, err := e.store.GetBrandAsset(ctx, sha([]byte(css))); err != nil || !strings.Contains(string(a.Data), "--bg:#0a0b0c") {
			t.Errorf("draft stylesheet: %v", err)
		}
		mail := br.postMultipart(t, path+"/preview", url.Values{"colors.bg": {"#0a0b0c"}, "preview": {"activation"}}, nil)
		if mail.status != http.StatusOK || !strings.Contains(mail.body, "/example") || !strings.Contains(mail.body, e.server.URL+"/brand/"+got.Branding.LogoAsset) {
			t.Errorf("e-mail preview: %d\n%s", mail.status, mail.body)
		}
		if res := br.postMultipart(t, path+"/preview", url.Values{"preview": {"nope"}}, nil); res.status != http.StatusNotFound {
			t.Errorf("unknown preview: %d", res.status)
		}
		if after, _ := e.store.GetApplication(ctx, app.ID); after.Version != got.Version || after.Branding.Colors["bg"] != "#abcdef" {
			t.Errorf("a preview changed the application: %+v", after.Branding)
		}

		svg := br.postMultipart(t, path, url.Values{"version": {"3"}}, map[string][]byte{"logo": []byte(`<svg><script>alert(1)</script></svg>`)})
		if svg.status != http.StatusUnprocessableEntity || !strings.Contains(svg.body, "SVG is not accepted") {
			t.Errorf("svg upload: %d", svg.status)
		}
		if res := br.post(t, path+"/remove", url.Values{"version": {"3"}, "image": {"logo"}}); res.status != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", res.status, res.body)
		}
		if after, _ := e.store.GetApplication(ctx, app.ID); after.Branding.LogoAsset != "" || after.Branding.Colors["bg"] != "#abcdef" {
			t.Errorf("after remove %+v", after.Branding)
		}

		huge := br.postMultipart(t, path, url.Values{"version": {"3"}}, map[string][]byte{"logo": make([]byte, maxBrandingForm)})
		if huge.status != http.StatusRequestEntityTooLarge || !strings.Contains(huge.body, "too large") {
			t.Errorf("oversized form: %d", huge.status)
		}

		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if ro := auditor.get(t, path); ro.status != http.StatusOK || strings.Contains(ro.body, `type="file"`) || !strings.Contains(ro.body, "readonly") {
			t.Errorf("auditor's page: %d", ro.status)
		}
		if res := auditor.postMultipart(t, path, url.Values{"version": {"4"}}, nil); res.status != http.StatusForbidden {
			t.Errorf("auditor save: %d", res.status)
		}
	})
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestOrganizationBrandingPage(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	o := &storage.Organization{StoreID: storeA, Name: "Acme"}
	if err := e.store.CreateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin, storeA)))
	orgPath := "/admin/stores/" + storeA + "/organizations/" + o.ID
	if got := br.get(t, orgPath); !strings.Contains(got.body, `href="`+orgPath+`/branding"`) {
		t.Fatal("the organization page does not link its branding")
	}
	if res := br.postMultipart(t, orgPath+"/branding", url.Values{"version": {"1"}, "colors.card": {"#eeeeee"},
		"terms_url": {"https://acme.example/terms"}}, map[string][]byte{"favicon": consolePNG(t, 16, 16)}); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.status, res.body)
	}
	got, err := e.store.GetOrganization(ctx, storeA, o.ID)
	if err != nil || got.Branding.FaviconAsset == "" || got.Branding.TermsURL != "https://acme.example/terms" || got.Branding.Colors["card"] != "#eeeeee" {
		t.Fatalf("stored %+v %v", got.Branding, err)
	}
	other := e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleAdmin, storeB)))
	if res := other.get(t, orgPath+"/branding"); res.status != http.StatusNotFound && res.status != http.StatusForbidden {
		t.Errorf("another store's admin: %d", res.status)
	}
}
