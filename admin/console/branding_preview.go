package console

import (
	"net/http"
	"slices"
	"strings"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/themes"
)

// previewCSP is the policy of an e-mail preview: e-mails carry their
// styles inline, so those are allowed, but nothing runs (sandbox gives the
// page an opaque origin and no scripts) and nothing is fetched but
// images.
const previewCSP = "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; " +
	"sandbox; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"

// previewSignIn is what the preview select names for the sign-in page;
// any other value is an e-mail kind.
const previewSignIn = "signin"

// previewBranding renders, with the form's unsaved values, the real
// sign-in page or an e-mail of the chosen kind, as a page of its own (the
// form's Preview button opens it in a new tab). The draft stylesheet and
// images are stored as assets, which nothing links until they are saved.
func (h *Handler) previewBranding(w http.ResponseWriter, r *http.Request, rq *request) error {
	t, err := h.brandTargetOf(r, rq)
	if err != nil {
		return err
	}
	in := brandingForm(r)
	cur, err := h.brandings.Get(r.Context(), rq.Actor, t.owner)
	if err != nil {
		return err
	}
	b, err := h.draftBranding(r, rq, t, cur, in)
	if err != nil {
		return h.brandingRefused(w, r, rq, t, in, err)
	}
	what := r.PostFormValue("preview")
	if what == "" || what == previewSignIn {
		return h.render.Render(w, r, themes.Page{Template: "login", Lang: rq.Lang, Branding: b,
			Data: map[string]any{"Step": "identifier", "Action": t.backURL}})
	}
	if !slices.Contains(h.render.Emails(), what) {
		return manage.ErrNotFound
	}
	// E-mails show only absolute logo URLs: the reader's mail client is
	// not on this origin.
	if strings.HasPrefix(b.LogoURL, "/") {
		b.LogoURL = strings.TrimSuffix(h.cfg.Issuer, "/") + b.LogoURL
	}
	_, _, html, err := h.render.RenderEmail(what, rq.Lang, b, h.sampleEmailData())
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", previewCSP)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write([]byte(html))
	return err
}

// draftBranding is the branding the owner would wear with the unsaved
// values and any images chosen in the form.
func (h *Handler) draftBranding(r *http.Request, rq *request, t *brandTarget, cur manage.BrandingView, in manage.BrandingInput) (themes.Branding, error) {
	style, err := h.brandings.Draft(r.Context(), rq.Actor, t.owner, in)
	if err != nil {
		return themes.Branding{}, err
	}
	images := map[manage.BrandImage]string{manage.Logo: cur.LogoURL, manage.Favicon: cur.FaviconURL}
	for kind := range images {
		data, err := upload(r, string(kind))
		if err != nil {
			return themes.Branding{}, err
		}
		if data != nil {
			if images[kind], err = h.brandings.DraftImage(r.Context(), rq.Actor, t.owner, kind, data); err != nil {
				return themes.Branding{}, err
			}
		}
	}
	b := storage.Branding{LogoAsset: strings.TrimPrefix(images[manage.Logo], storage.BrandAssetPath),
		FaviconAsset: strings.TrimPrefix(images[manage.Favicon], storage.BrandAssetPath),
		StyleAsset:   strings.TrimPrefix(style, storage.BrandAssetPath), SupportURL: strings.TrimSpace(in.SupportURL),
		SupportEmail: strings.TrimSpace(in.SupportEmail), TermsURL: strings.TrimSpace(in.TermsURL), PrivacyURL: strings.TrimSpace(in.PrivacyURL)}
	app := &storage.Application{Name: t.appName, LogoURL: t.logoURL, PrimaryColor: t.primaryColor, Branding: b}
	return themes.Branding(storage.ApplicationBranding(app)), nil
}

// sampleEmailData fills every e-mail kind's placeholders with examples.
func (h *Handler) sampleEmailData() map[string]any {
	return map[string]any{"Link": strings.TrimSuffix(h.cfg.Issuer, "/") + "/example", "Code": "123456", "Minutes": 15, "Days": 7,
		"Username": "jane.doe", "Organization": "Example Ltd", "Inviter": "Alex Admin", "Method": "totp",
		"Status": "enabled", "Contact": "email", "Fields": []string{"name"}, "Count": 5,
		"Paragraphs": []string{"email.support.not_you"}}
}
