package manage_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// brandPNG is a w×h PNG.
func brandPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBrandingUpdateStoresTheStylesheet(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		app := appCreate(t, e, "eu", "Shop")
		b := manage.NewBrandings(manage.NewCore(e.s, nil), e.s)
		owner := manage.ApplicationOwner(app.ID)
		v, err := b.Update(ctx, appAdmin(storage.RoleAdmin, "eu"), owner, app.Version, manage.BrandingInput{
			Colors: map[string]string{"bg": "#FAFAFA", "text": " ", "radius": "2px"}, DarkColors: map[string]string{"bg": "#101010"},
			ExtraCSS: ".card{border-width:2px}", SupportURL: "https://shop.example/help", SupportEmail: "help@shop.example",
			TermsURL: "http://localhost:3000/terms", PrivacyURL: "https://shop.example/privacy"})
		if err != nil {
			t.Fatal(err)
		}
		if v.Version != app.Version+1 || v.Colors["bg"] != "#FAFAFA" || v.Colors["text"] != "" || !strings.HasPrefix(v.StyleURL, "/brand/") {
			t.Errorf("view = %+v", v)
		}
		asset, err := e.s.GetBrandAsset(ctx, strings.TrimPrefix(v.StyleURL, "/brand/"))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(asset.Data)
		if css := string(asset.Data); asset.ContentType != "text/css; charset=utf-8" || hex.EncodeToString(sum[:]) != asset.Hash ||
			!strings.Contains(css, ":root{--bg:#fafafa;--radius:2px}") || !strings.Contains(css, "dark){:root{--bg:#101010}}") ||
			!strings.Contains(css, ".card{border-width:2px}") {
			t.Errorf("stylesheet %s %q", asset.ContentType, asset.Data)
		}
		stored, _ := e.s.GetApplication(ctx, app.ID)
		eff := storage.ApplicationBranding(stored)
		if len(eff.Stylesheets) != 1 || eff.Stylesheets[0] != v.StyleURL || eff.SupportEmail != "help@shop.example" {
			t.Errorf("effective branding %+v", eff)
		}
		if entry := e.lastAudit(t); entry.Action != "application.branding_updated" || entry.TargetID != app.ID ||
			!strings.Contains(entry.After, "shop.example/help") || entry.Before == "" {
			t.Errorf("audit = %+v", entry)
		}
		// The same input again changes nothing: no new version, no entry.
		entries := e.auditCount(t)
		same, err := b.Update(ctx, appAdmin(storage.RoleAdmin, "eu"), owner, v.Version, manage.BrandingInput{
			Colors: map[string]string{"bg": "#FAFAFA", "text": " ", "radius": "2px"}, DarkColors: map[string]string{"bg": "#101010"},
			ExtraCSS: ".card{border-width:2px}", SupportURL: "https://shop.example/help", SupportEmail: "help@shop.example",
			TermsURL: "http://localhost:3000/terms", PrivacyURL: "https://shop.example/privacy"})
		if err != nil || same.Version != v.Version || same.StyleURL != v.StyleURL || e.auditCount(t) != entries {
			t.Errorf("an unchanged update: version %d (was %d), %d audit entries (were %d), %v", same.Version, v.Version,
				e.auditCount(t), entries, err)
		}
		_, err = b.Update(ctx, appAdmin(storage.RoleAdmin, "eu"), owner, app.Version, manage.BrandingInput{})
		appWantIs(t, "stale version", err, manage.ErrStale)
		_, err = b.Update(ctx, appAdmin(storage.RoleAuditor, "eu"), owner, 0, manage.BrandingInput{})
		appWantIs(t, "auditor", err, manage.ErrForbidden)
		_, err = b.Get(ctx, appAdmin(storage.RoleAdmin, "us"), owner)
		appWantIs(t, "other store", err, manage.ErrNotFound)
		cleared, err := b.Update(ctx, manage.System(), owner, 0, manage.BrandingInput{})
		if err != nil || cleared.StyleURL != "" || len(cleared.Colors) != 0 {
			t.Errorf("cleared = %+v, %v", cleared, err)
		}
	})
}

func TestBrandingUpdateRefusesEverythingAtOnce(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		app := appCreate(t, e, "eu", "Shop")
		b := manage.NewBrandings(manage.NewCore(e.s, nil), e.s)
		before := e.auditCount(t)
		_, err := b.Update(ctx, manage.System(), manage.ApplicationOwner(app.ID), 0, manage.BrandingInput{
			Colors: map[string]string{"bg": "red", "nope": "#fff"}, DarkColors: map[string]string{"radius": "99px"},
			ExtraCSS: "@import url(https://evil.example/x.css);", SupportURL: "http://shop.example/help",
			SupportEmail: "Help <help@shop.example>", TermsURL: "javascript:alert(1)", PrivacyURL: "/privacy"})
		got := appFields(t, err)
		for _, f := range []string{"colors.bg", "colors.nope", "dark_colors.radius", "extra_css", "support_url", "support_email", "terms_url", "privacy_url"} {
			if got[f] == "" {
				t.Errorf("no problem for %s in %v", f, got)
			}
		}
		if e.auditCount(t) != before {
			t.Error("a refused update was audited")
		}
		if url, err := b.Draft(ctx, manage.System(), manage.ApplicationOwner(app.ID), manage.BrandingInput{Colors: map[string]string{"bg": "red"}}); err == nil {
			t.Errorf("draft with a bad colour = %q", url)
		}
		url, err := b.Draft(ctx, manage.System(), manage.ApplicationOwner(app.ID), manage.BrandingInput{Colors: map[string]string{"bg": "#123456"}})
		if err != nil || !strings.HasPrefix(url, "/brand/") {
			t.Fatalf("draft = %q, %v", url, err)
		}
		if a, err := e.s.GetBrandAsset(ctx, strings.TrimPrefix(url, "/brand/")); err != nil || !strings.Contains(string(a.Data), "#123456") {
			t.Errorf("draft asset %v", err)
		}
		if stored, _ := e.s.GetApplication(ctx, app.ID); !stored.Branding.IsZero() {
			t.Errorf("a draft changed the application: %+v", stored.Branding)
		}
	})
}

func TestBrandingImages(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		app := appCreate(t, e, "eu", "Shop")
		b := manage.NewBrandings(manage.NewCore(e.s, nil), e.s)
		owner := manage.ApplicationOwner(app.ID)
		logo := brandPNG(t, 120, 40)
		v, err := b.SetImage(ctx, manage.System(), owner, app.Version, manage.Logo, logo)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(logo)
		if v.LogoURL != "/brand/"+hex.EncodeToString(sum[:]) {
			t.Errorf("logo url %q", v.LogoURL)
		}
		if a, err := e.s.GetBrandAsset(ctx, hex.EncodeToString(sum[:])); err != nil || a.ContentType != "image/png" || !bytes.Equal(a.Data, logo) {
			t.Errorf("asset %v", err)
		}
		if entry := e.lastAudit(t); entry.Action != "application.branding_logo_set" {
			t.Errorf("audit %q", entry.Action)
		}
		ico := append([]byte{0, 0, 1, 0, 1, 0, 32, 32, 0, 0, 1, 0, 32, 0}, make([]byte, 40)...)
		if v, err = b.SetImage(ctx, manage.System(), owner, 0, manage.Favicon, ico); err != nil || v.FaviconURL == "" || v.LogoURL == "" {
			t.Fatalf("favicon: %+v %v", v, err)
		}
		webp := append([]byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00"), 63, 0, 0, 31, 0, 0)
		if _, err := b.SetImage(ctx, manage.System(), owner, 0, manage.Logo, webp); err != nil {
			t.Errorf("webp: %v", err)
		}
		for _, c := range []struct {
			name string
			kind manage.BrandImage
			data []byte
			want string
		}{
			{"empty", manage.Logo, nil, "choose a file"},
			{"too big", manage.Logo, append(brandPNG(t, 1, 1), make([]byte, manage.MaxLogoBytes)...), "at most 256 KB"},
			{"favicon too big", manage.Favicon, make([]byte, manage.MaxFaviconBytes+1), "at most 64 KB"},
			{"too wide", manage.Logo, brandPNG(t, manage.MaxImageSide+1, 1), "2048×2048"},
			{"text", manage.Logo, []byte("hello, I am no picture"), "not a PNG"},
			{"svg with script", manage.Logo, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "SVG is not accepted"},
			{"ico as logo", manage.Logo, ico, "not a PNG"},
			{"broken png", manage.Logo, []byte("\x89PNG\r\n\x1a\nbroken"), "cannot be read"},
			{"broken ico", manage.Favicon, []byte{0, 0, 1, 0, 5, 0}, "ICO"},
		} {
			_, err := b.SetImage(ctx, manage.System(), owner, 0, c.kind, c.data)
			if got := appFields(t, err)[string(c.kind)]; !strings.Contains(got, c.want) {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
		}
		v, err = b.RemoveImage(ctx, manage.System(), owner, 0, manage.Logo)
		if err != nil || v.LogoURL != "" || v.FaviconURL == "" {
			t.Errorf("after removing the logo: %+v %v", v, err)
		}
		_, err = b.SetImage(ctx, appAdmin(storage.RoleSupport, "eu"), owner, 0, manage.Logo, logo)
		appWantIs(t, "support", err, manage.ErrForbidden)
	})
}

func TestBrandingOfAnOrganization(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		core := manage.NewCore(e.s, nil)
		org, err := manage.NewOrganizations(core, e.s).Create(ctx, manage.System(), "eu", manage.OrganizationInput{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		b := manage.NewBrandings(core, e.s)
		owner := manage.OrganizationOwner("eu", org.ID)
		v, err := b.Update(ctx, appAdmin(storage.RoleAdmin, "eu"), owner, org.Version, manage.BrandingInput{
			Colors: map[string]string{"card": "#eeeeee"}, TermsURL: "https://acme.example/terms"})
		if err != nil || v.Version != org.Version+1 {
			t.Fatalf("update: %+v %v", v, err)
		}
		if _, err := b.SetImage(ctx, appAdmin(storage.RoleAdmin, "eu"), owner, v.Version, manage.Logo, brandPNG(t, 10, 10)); err != nil {
			t.Fatal(err)
		}
		stored, err := e.s.GetOrganization(ctx, "eu", org.ID)
		if err != nil || stored.Branding.LogoAsset == "" || stored.Branding.StyleAsset == "" || !stored.HasBranding() {
			t.Errorf("stored %+v %v", stored, err)
		}
		if entry := e.lastAudit(t); entry.Action != "organization.branding_logo_set" || entry.StoreID != "eu" {
			t.Errorf("audit %+v", entry)
		}
		_, err = b.Get(ctx, appAdmin(storage.RoleAdmin, "us"), owner)
		appWantIs(t, "other store", err, manage.ErrNotFound)
		_, err = b.Update(ctx, manage.System(), owner, 1, manage.BrandingInput{})
		appWantIs(t, "stale", err, manage.ErrStale)
	})
}
