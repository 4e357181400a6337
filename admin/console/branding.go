package console

import (
	"context"
	"errors"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/themes"
)

// BrandingService is what the console asks of branding (manage.Brandings).
type BrandingService interface {
	Get(ctx context.Context, a manage.Actor, o manage.BrandOwner) (manage.BrandingView, error)
	Update(ctx context.Context, a manage.Actor, o manage.BrandOwner, version int64, in manage.BrandingInput) (manage.BrandingView, error)
	SetImage(ctx context.Context, a manage.Actor, o manage.BrandOwner, version int64, kind manage.BrandImage, data []byte) (manage.BrandingView, error)
	RemoveImage(ctx context.Context, a manage.Actor, o manage.BrandOwner, version int64, kind manage.BrandImage) (manage.BrandingView, error)
	Draft(ctx context.Context, a manage.Actor, o manage.BrandOwner, in manage.BrandingInput) (string, error)
	DraftImage(ctx context.Context, a manage.Actor, o manage.BrandOwner, kind manage.BrandImage, data []byte) (string, error)
}

const (
	appBrandingRoute        = "console.application_branding"
	appBrandingPreviewRoute = "console.application_branding_preview"
	appBrandingRemoveRoute  = "console.application_branding_remove"
	orgBrandingRoute        = "console.organization_branding"
	orgBrandingPreviewRoute = "console.organization_branding_preview"
	orgBrandingRemoveRoute  = "console.organization_branding_remove"
	// maxBrandingForm bounds the branding form's multipart body: both
	// images, the extra CSS and the fields, with room for the encoding.
	maxBrandingForm = manage.MaxLogoBytes + manage.MaxFaviconBytes + themes.MaxExtraCSS + 64<<10
)

// brandTarget is whose branding a page edits, read from the route.
type brandTarget struct {
	owner        manage.BrandOwner
	storeID      string
	title        string
	backURL      string
	vars         []string // the route variables, for building the page's URLs
	routes       [3]string
	appName      string
	logoURL      string
	primaryColor string
}

func (h *Handler) mountBranding(r *mux.Router) {
	if h.brandings == nil {
		return
	}
	for _, m := range []struct {
		base   string
		routes [3]string
	}{
		{"/admin/applications/{app}/branding", [3]string{appBrandingRoute, appBrandingPreviewRoute, appBrandingRemoveRoute}},
		{"/admin/stores/{store}/organizations/{org}/branding", [3]string{orgBrandingRoute, orgBrandingPreviewRoute, orgBrandingRemoveRoute}},
	} {
		route.Handle(r, m.routes[0], m.base, route.Methods{
			http.MethodGet: h.authed(h.brandingPage), http.MethodPost: h.limitBody(h.authed(h.saveBranding))})
		route.Handle(r, m.routes[1], m.base+"/preview", route.Methods{http.MethodPost: h.limitBody(h.authed(h.previewBranding))})
		route.Handle(r, m.routes[2], m.base+"/remove", route.Methods{http.MethodPost: h.authed(h.removeBrandImage)})
	}
}

// limitBody caps the branding form before anything parses it (the form
// token check reads the body). A body that says it is too large is
// answered 413 with a message; one that only turns out to be fails to
// parse and is refused like a form without its token.
func (h *Handler) limitBody(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBrandingForm {
			h.message(w, r, http.StatusRequestEntityTooLarge, "admin.branding.too_large")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBrandingForm)
		next(w, r)
	}
}

// brandTargetOf loads the application or organization of the request.
func (h *Handler) brandTargetOf(r *http.Request, rq *request) (*brandTarget, error) {
	v := mux.Vars(r)
	if id, ok := v["app"]; ok {
		app, err := h.applicationFor(r, rq)
		if err != nil {
			return nil, err
		}
		return &brandTarget{owner: manage.ApplicationOwner(id), storeID: app.StoreID, title: app.Name,
			backURL: h.path(applicationRoute, nil, "app", id), vars: []string{"app", id},
			routes:  [3]string{appBrandingRoute, appBrandingPreviewRoute, appBrandingRemoveRoute},
			appName: app.Name, logoURL: app.LogoURL, primaryColor: app.PrimaryColor}, nil
	}
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return nil, err
	}
	return &brandTarget{owner: manage.OrganizationOwner(s.ID, o.ID), storeID: s.ID, title: o.Name,
		backURL: h.path(orgRoute, nil, "store", s.ID, "org", o.ID), vars: []string{"store", s.ID, "org", o.ID},
		routes:  [3]string{orgBrandingRoute, orgBrandingPreviewRoute, orgBrandingRemoveRoute},
		appName: cmpOr(o.DisplayName, o.Name), logoURL: o.LogoURL, primaryColor: o.PrimaryColor}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// brandingPage is the data of admin_branding.
type brandingPage struct {
	frame
	Title, BackURL                 string
	SaveURL, PreviewURL, RemoveURL string
	Version                        int64
	CanWrite                       bool
	Light, Dark                    []brandVarField
	Radius, RadiusError            string
	ExtraCSS                       string
	SupportURL, SupportEmail       string
	TermsURL, PrivacyURL           string
	LogoURL, FaviconURL, StyleURL  string
	Emails                         []string
	// Removable are the images set, each with a remove button.
	Removable                          []brandRemoval
	Links                              []brandLinkField
	FieldErrors                        map[string]string
	MaxLogoKB, MaxFaviconKB, MaxSidePx int
}

// brandVarField is one colour's text field and picker. The picker starts
// at Pick (the value, else the theme's default); the form sends that
// start too, so a picker the administrator moved is told from one left
// alone without JavaScript.
type brandVarField struct {
	Field, Name, Value, Pick, Error string
	CanWrite                        bool
}

// brandRemoval is a remove button's image and label.
type brandRemoval struct{ Kind, Label string }

// brandLinkField is one of the footer's links.
type brandLinkField struct {
	Field, Type, Value, Error string
}

func (h *Handler) brandingPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	t, err := h.brandTargetOf(r, rq)
	if err != nil {
		return err
	}
	v, err := h.brandings.Get(r.Context(), rq.Actor, t.owner)
	if err != nil {
		return err
	}
	h.renderBranding(w, r, rq, t, http.StatusOK, v, v.BrandingInput, nil, "")
	return nil
}

func (h *Handler) renderBranding(w http.ResponseWriter, r *http.Request, rq *request, t *brandTarget, status int,
	v manage.BrandingView, in manage.BrandingInput, errs map[string]string, pageErr string) {
	p := &brandingPage{Title: t.title, BackURL: t.backURL, Version: v.Version,
		SaveURL: h.path(t.routes[0], nil, t.vars...), PreviewURL: h.path(t.routes[1], nil, t.vars...),
		RemoveURL: h.path(t.routes[2], nil, t.vars...), CanWrite: rq.Actor.Can(manage.WriteConfig, t.storeID),
		Radius: in.Colors["radius"], ExtraCSS: in.ExtraCSS, SupportURL: in.SupportURL, SupportEmail: in.SupportEmail,
		TermsURL: in.TermsURL, PrivacyURL: in.PrivacyURL, LogoURL: v.LogoURL, FaviconURL: v.FaviconURL, StyleURL: v.StyleURL,
		Emails: h.render.Emails(), FieldErrors: errs,
		MaxLogoKB: manage.MaxLogoBytes >> 10, MaxFaviconKB: manage.MaxFaviconBytes >> 10, MaxSidePx: manage.MaxImageSide}
	if p.FieldErrors == nil {
		p.FieldErrors = map[string]string{}
	}
	for _, img := range []struct {
		kind manage.BrandImage
		url  string
	}{{manage.Logo, v.LogoURL}, {manage.Favicon, v.FaviconURL}} {
		if img.url != "" {
			p.Removable = append(p.Removable, brandRemoval{string(img.kind), "admin.branding.remove_" + string(img.kind)})
		}
	}
	for _, l := range []brandLinkField{{"support_url", "url", in.SupportURL, ""}, {"support_email", "email", in.SupportEmail, ""},
		{"terms_url", "url", in.TermsURL, ""}, {"privacy_url", "url", in.PrivacyURL, ""}} {
		l.Error = p.FieldErrors[l.Field]
		p.Links = append(p.Links, l)
	}
	defaults := themes.BrandDefaults()
	vars := themes.BrandVariables()
	names := make([]string, 0, len(vars))
	for n, kind := range vars {
		if kind == themes.BrandColor {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		dark := brandVarField{Field: "dark_colors." + n, Name: n, Value: in.DarkColors[n], Error: p.FieldErrors["dark_colors."+n], CanWrite: p.CanWrite}
		dark.Pick = pickerValue(dark.Value, defaults[n])
		p.Dark = append(p.Dark, dark)
		if n == "primary" {
			continue // the application's or organization's own field
		}
		light := brandVarField{Field: "colors." + n, Name: n, Value: in.Colors[n], Error: p.FieldErrors["colors."+n], CanWrite: p.CanWrite}
		light.Pick = pickerValue(light.Value, defaults[n])
		p.Light = append(p.Light, light)
	}
	p.RadiusError = p.FieldErrors["colors.radius"]
	p.Error = pageErr
	h.page(w, r, rq, "admin_branding", status, t.storeID, p)
}

// pickerValue is what a colour picker can show: #rrggbb.
func pickerValue(v, def string) string {
	for _, c := range []string{v, def} {
		c = strings.ToLower(strings.TrimSpace(c))
		if len(c) == 4 && c[0] == '#' {
			c = "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
		}
		if len(c) == 7 && c[0] == '#' {
			return c
		}
	}
	return "#000000"
}

// brandingForm reads the posted fields: a colour's text wins; else a
// picker moved from where it started sets it.
func brandingForm(r *http.Request) manage.BrandingInput {
	in := manage.BrandingInput{Colors: map[string]string{}, DarkColors: map[string]string{},
		ExtraCSS: r.PostFormValue("extra_css"), SupportURL: r.PostFormValue("support_url"),
		SupportEmail: r.PostFormValue("support_email"), TermsURL: r.PostFormValue("terms_url"), PrivacyURL: r.PostFormValue("privacy_url")}
	for _, n := range slices.Sorted(maps.Keys(themes.BrandVariables())) {
		for prefix, m := range map[string]map[string]string{"colors.": in.Colors, "dark_colors.": in.DarkColors} {
			v := strings.TrimSpace(r.PostFormValue(prefix + n))
			if pick := r.PostFormValue("pick." + prefix + n); v == "" && pick != "" && pick != r.PostFormValue("start."+prefix+n) {
				v = pick
			}
			if v != "" {
				m[n] = v
			}
		}
	}
	return in
}

// upload is the file of the form field, nil when none was chosen.
func upload(r *http.Request, field string) ([]byte, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	f, _, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func(f multipart.File) { _ = f.Close() }(f)
	data, err := io.ReadAll(f)
	if len(data) == 0 {
		return nil, err
	}
	return data, err
}

// chosenImages are the form's uploads, each checked, so that a refused
// image refuses the whole form before anything is saved.
func chosenImages(r *http.Request) (map[manage.BrandImage][]byte, error) {
	out := map[manage.BrandImage][]byte{}
	problems := manage.Problems{}
	for _, kind := range []manage.BrandImage{manage.Logo, manage.Favicon} {
		data, err := upload(r, string(kind))
		if err != nil {
			return nil, err
		}
		if data == nil {
			continue
		}
		var ve *manage.ValidationError
		if err := manage.CheckImage(kind, data); errors.As(err, &ve) {
			for k, msg := range ve.Fields {
				problems.Add(k, msg)
			}
		}
		out[kind] = data
	}
	return out, problems.Err()
}

// saveBranding saves the fields, then each chosen image, at the posted
// version; the first refusal shows the form again with what was typed.
func (h *Handler) saveBranding(w http.ResponseWriter, r *http.Request, rq *request) error {
	t, err := h.brandTargetOf(r, rq)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := brandingForm(r)
	images, err := chosenImages(r)
	if err != nil {
		return h.brandingRefused(w, r, rq, t, in, err)
	}
	v, err := h.brandings.Update(r.Context(), rq.Actor, t.owner, version, in)
	for _, kind := range []manage.BrandImage{manage.Logo, manage.Favicon} {
		if err == nil && images[kind] != nil {
			v, err = h.brandings.SetImage(r.Context(), rq.Actor, t.owner, v.Version, kind, images[kind])
		}
	}
	if err != nil {
		return h.brandingRefused(w, r, rq, t, in, err)
	}
	h.done(w, r, h.path(t.routes[0], nil, t.vars...), "saved")
	return nil
}

// brandingRefused shows the form again with the errors a form can show.
func (h *Handler) brandingRefused(w http.ResponseWriter, r *http.Request, rq *request, t *brandTarget, in manage.BrandingInput, err error) error {
	errs, pageErr, ok := formErrors(err, func(s string) string { return s })
	if !ok {
		return err
	}
	cur, gerr := h.brandings.Get(r.Context(), rq.Actor, t.owner)
	if gerr != nil {
		return gerr
	}
	h.renderBranding(w, r, rq, t, statusOf(err), cur, in, errs, pageErr)
	return nil
}

func (h *Handler) removeBrandImage(w http.ResponseWriter, r *http.Request, rq *request) error {
	t, err := h.brandTargetOf(r, rq)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	kind := manage.BrandImage(r.PostFormValue("image"))
	if !kind.Valid() {
		return manage.ErrNotFound
	}
	if _, err := h.brandings.RemoveImage(r.Context(), rq.Actor, t.owner, version, kind); err != nil {
		cur, gerr := h.brandings.Get(r.Context(), rq.Actor, t.owner)
		if gerr != nil {
			return gerr
		}
		return h.brandingRefused(w, r, rq, t, cur.BrandingInput, err)
	}
	h.done(w, r, h.path(t.routes[0], nil, t.vars...), "removed")
	return nil
}
