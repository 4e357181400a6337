package portal

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"time"

	"foyer/storage"
)

// The export holds what the account is and did, never a secret: no
// password hash, no authenticator secret, no token, no session id.
type export struct {
	GeneratedAt      time.Time              `json:"generated_at"`
	Profile          exportProfile          `json:"profile"`
	Password         exportPassword         `json:"password"`
	Authenticators   []exportAuthenticator  `json:"authenticators"`
	Sessions         []exportSession        `json:"sessions"`
	Consents         []exportConsent        `json:"consents"`
	ConsentHistory   []exportConsentEvent   `json:"consent_history"`
	Grants           []exportGrant          `json:"grants"`
	Groups           []string               `json:"groups"`
	LinkedIdentities []exportLinkedIdentity `json:"linked_identities"`
	Activity         []exportEvent          `json:"activity"`
}

type exportProfile struct {
	ID             string            `json:"id"`
	Username       string            `json:"username,omitempty"`
	Email          string            `json:"email,omitempty"`
	EmailConfirmed bool              `json:"email_confirmed"`
	Phone          string            `json:"phone,omitempty"`
	PhoneConfirmed bool              `json:"phone_confirmed"`
	Attributes     map[string]string `json:"attributes"`
	Language       string            `json:"language,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	LastLoginAt    *time.Time        `json:"last_login_at,omitempty"`
}

type exportPassword struct {
	Set       bool       `json:"set"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

type exportAuthenticator struct {
	Kind       string     `json:"kind"`
	Name       string     `json:"name,omitempty"`
	Address    string     `json:"address,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

type exportSession struct {
	Browser   string    `json:"browser,omitempty"`
	OS        string    `json:"os,omitempty"`
	IP        string    `json:"ip,omitempty"`
	Location  string    `json:"location,omitempty"`
	SignedIn  time.Time `json:"signed_in_at"`
	LastSeen  time.Time `json:"last_seen_at"`
	IsCurrent bool      `json:"current"`
}

type exportConsent struct {
	Consent   string     `json:"consent"`
	Version   string     `json:"version"`
	GrantedAt time.Time  `json:"granted_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// OutdatedAt is when a newer version of the document ended it.
	OutdatedAt *time.Time `json:"outdated_at,omitempty"`
}

type exportConsentEvent struct {
	Consent string    `json:"consent"`
	Version string    `json:"version"`
	Action  string    `json:"action"`
	At      time.Time `json:"at"`
}

type exportGrant struct {
	Application string    `json:"application"`
	ClientID    string    `json:"client_id"`
	Scopes      []string  `json:"scopes"`
	Since       time.Time `json:"since"`
}

type exportLinkedIdentity struct {
	Provider string    `json:"provider"`
	Email    string    `json:"email,omitempty"`
	Since    time.Time `json:"since"`
}

type exportEvent struct {
	Kind string            `json:"kind"`
	IP   string            `json:"ip,omitempty"`
	Data map[string]string `json:"data,omitempty"`
	At   time.Time         `json:"at"`
}

// maxExportEvents bounds the activity log in an export.
const maxExportEvents = 1000

func (h *Handler) buildExport(r *http.Request, v *viewer) (*export, error) {
	ctx := r.Context()
	a := v.Account
	x := &export{GeneratedAt: h.cfg.Now().UTC(), Profile: exportProfile{ID: a.ID, Username: a.Username, Email: a.Email,
		EmailConfirmed: a.EmailConfirmed, Phone: a.Phone, PhoneConfirmed: a.PhoneConfirmed, Attributes: a.Attributes,
		Language: a.Language, CreatedAt: a.CreatedAt, LastLoginAt: a.LastLoginAt}}
	if cred, err := h.store.GetPassword(ctx, a.ID); err == nil {
		updated := cred.UpdatedAt
		x.Password = exportPassword{Set: true, UpdatedAt: &updated}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if err := h.exportSecurity(r, v, x); err != nil {
		return nil, err
	}
	return x, h.exportPrivacy(r, v, x)
}

func (h *Handler) exportSecurity(r *http.Request, v *viewer, x *export) error {
	ctx := r.Context()
	auths, err := h.store.ListAuthenticators(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	x.Authenticators = []exportAuthenticator{}
	for _, au := range auths {
		x.Authenticators = append(x.Authenticators, exportAuthenticator{Kind: au.Kind, Name: au.Name, Address: au.Address,
			CreatedAt: au.CreatedAt, LastUsedAt: au.LastUsedAt})
	}
	sessions, err := h.sessionViews(ctx, v)
	if err != nil {
		return err
	}
	x.Sessions = []exportSession{}
	for _, s := range sessions {
		x.Sessions = append(x.Sessions, exportSession{Browser: s.Browser, OS: s.OS, IP: s.IP, Location: s.Location,
			SignedIn: s.SignedIn, LastSeen: s.LastSeen, IsCurrent: s.Current})
	}
	grants, err := h.grantViews(r, v)
	if err != nil {
		return err
	}
	x.Grants = []exportGrant{}
	for _, g := range grants {
		x.Grants = append(x.Grants, exportGrant{Application: g.Name, ClientID: g.ClientID, Scopes: g.Scopes, Since: g.Since})
	}
	return nil
}

func (h *Handler) exportPrivacy(r *http.Request, v *viewer, x *export) error {
	ctx := r.Context()
	records, err := h.store.ListConsents(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	x.Consents = []exportConsent{}
	for _, c := range records {
		x.Consents = append(x.Consents, exportConsent{Consent: c.Consent, Version: c.Version, GrantedAt: c.GrantedAt,
			RevokedAt: c.RevokedAt, OutdatedAt: c.OutdatedAt})
	}
	history, err := h.store.ListConsentEvents(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	x.ConsentHistory = []exportConsentEvent{}
	for _, e := range consentLog(records, history) {
		x.ConsentHistory = append(x.ConsentHistory, exportConsentEvent(e))
	}
	if x.Groups, err = h.groupNames(ctx, v.Account.ID); err != nil {
		return err
	}
	links, err := h.store.ListExternalIdentities(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	x.LinkedIdentities = []exportLinkedIdentity{}
	for _, l := range links {
		x.LinkedIdentities = append(x.LinkedIdentities, exportLinkedIdentity{Provider: l.Provider, Email: l.Email, Since: l.CreatedAt})
	}
	events, err := h.store.ListEvents(ctx, v.Account.ID, maxExportEvents)
	if err != nil {
		return err
	}
	x.Activity = []exportEvent{}
	for _, e := range events {
		x.Activity = append(x.Activity, exportEvent{Kind: e.Kind, IP: e.IP, Data: e.Data, At: e.CreatedAt})
	}
	return nil
}

func (h *Handler) exportJSON(w http.ResponseWriter, r *http.Request, v *viewer) error {
	x, err := h.buildExport(r, v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		h.log.WarnContext(r.Context(), "portal: export", "err", err)
	}
	return nil
}

// exportCSP lets the self-contained page use its inline style and nothing
// else: it loads no resource at all.
const exportCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

//go:embed export.html
var exportPage string

// exportTemplate is the downloadable page. It lives here rather than in
// the theme: it must be self-contained (inline CSS, no external resource),
// which theme pages, held to a strict CSP, may not be. t is bound to the
// customer's language per download.
var exportTemplate = template.Must(template.New("export").Funcs(template.FuncMap{
	"t": func(key string, _ ...any) string { return key },
}).Parse(exportPage))

func (h *Handler) exportHTML(w http.ResponseWriter, r *http.Request, v *viewer) error {
	x, err := h.buildExport(r, v)
	if err != nil {
		return err
	}
	tmpl, err := exportTemplate.Clone()
	if err != nil {
		return err
	}
	tmpl.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return h.render.T(v.Lang, key, args...) }})
	var buf bytes.Buffer
	data := struct {
		Lang, AppName string
		Export        *export
	}{v.Lang, brandingOf(v.App).AppName, x}
	if data.AppName == "" {
		data.AppName = "Foyer"
	}
	if err := tmpl.Execute(&buf, data); err != nil {
		return err
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", exportCSP)
	hdr.Set("Content-Disposition", `attachment; filename="my-data.html"`)
	hdr.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}
