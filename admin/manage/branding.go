package manage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/mail"
	"net/url"
	"strings"

	"foyer/storage"
	"foyer/themes"
)

// BrandingStore is what the Brandings service needs from storage.
type BrandingStore interface {
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	UpdateApplication(ctx context.Context, a *storage.Application, version int64) error
	GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error)
	UpdateOrganization(ctx context.Context, o *storage.Organization, expectedVersion int64) error
	storage.BrandAssets
}

// Brandings manages the branding of applications and organizations: the
// colours, extra CSS and links (Update), the uploaded logo and favicon
// (SetImage, RemoveImage) and previews of unsaved drafts (Draft). It is
// part of its owner: reading it takes ReadConfig, changing it WriteConfig
// on the owner's identity store, and it shares the owner's version.
type Brandings struct {
	core  *Core
	store BrandingStore
}

// NewBrandings returns the service; store must be the store core runs its
// transactions on.
func NewBrandings(core *Core, store BrandingStore) *Brandings {
	return &Brandings{core: core, store: store}
}

// BrandOwner names an application (StoreID empty) or an organization of
// an identity store.
type BrandOwner struct {
	ApplicationID  string
	StoreID        string
	OrganizationID string
}

// ApplicationOwner is the owner for an application's branding.
func ApplicationOwner(id string) BrandOwner { return BrandOwner{ApplicationID: id} }

// OrganizationOwner is the owner for an organization's branding.
func OrganizationOwner(storeID, id string) BrandOwner {
	return BrandOwner{StoreID: storeID, OrganizationID: id}
}

func (o BrandOwner) kind() string {
	if o.ApplicationID != "" {
		return "application"
	}
	return "organization"
}

func (o BrandOwner) id() string { return o.ApplicationID + o.OrganizationID }

// BrandingInput is what an administrator sets with Update; the logo and
// the favicon are uploaded on their own (SetImage) and kept.
type BrandingInput struct {
	Colors       map[string]string `json:"colors"`
	DarkColors   map[string]string `json:"dark_colors"`
	ExtraCSS     string            `json:"extra_css"`
	SupportURL   string            `json:"support_url"`
	SupportEmail string            `json:"support_email"`
	TermsURL     string            `json:"terms_url"`
	PrivacyURL   string            `json:"privacy_url"`
}

// BrandingView is a branding as the API, the console and the audit log
// show it; LogoURL, FaviconURL and StyleURL are where the assets are
// served. Version is the owner's.
type BrandingView struct {
	BrandingInput
	LogoURL    string `json:"logo_url"`
	FaviconURL string `json:"favicon_url"`
	StyleURL   string `json:"style_url"`
	Version    int64  `json:"version"`
}

func viewBranding(b storage.Branding, version int64) BrandingView {
	v := BrandingView{BrandingInput: BrandingInput{Colors: b.Colors, DarkColors: b.DarkColors, ExtraCSS: b.ExtraCSS,
		SupportURL: b.SupportURL, SupportEmail: b.SupportEmail, TermsURL: b.TermsURL, PrivacyURL: b.PrivacyURL},
		LogoURL: storage.BrandAssetURL(b.LogoAsset), FaviconURL: storage.BrandAssetURL(b.FaviconAsset),
		StyleURL: storage.BrandAssetURL(b.StyleAsset), Version: version}
	if v.Colors == nil {
		v.Colors = map[string]string{}
	}
	if v.DarkColors == nil {
		v.DarkColors = map[string]string{}
	}
	return v
}

// loaded is an owner's branding as read, with how to write it back.
type loaded struct {
	storeID  string
	branding storage.Branding
	version  int64
	save     func(ctx context.Context, b storage.Branding, version int64) (int64, error)
}

// load reads the owner after checking that the actor may do p on it; an
// application of a store the actor may not read is ErrNotFound.
func (s *Brandings) load(ctx context.Context, a Actor, p Permission, o BrandOwner) (*loaded, error) {
	if o.ApplicationID != "" {
		app, err := applicationFor(ctx, s.store, a, p, o.ApplicationID)
		if err != nil {
			return nil, err
		}
		return &loaded{storeID: app.StoreID, branding: app.Branding.Clone(), version: app.Version,
			save: func(ctx context.Context, b storage.Branding, version int64) (int64, error) {
				app.Branding = b
				err := s.store.UpdateApplication(ctx, app, version)
				return app.Version, err
			}}, nil
	}
	if err := requireStore(a, p, o.StoreID); err != nil {
		return nil, err
	}
	org, err := s.store.GetOrganization(ctx, o.StoreID, o.OrganizationID)
	if err != nil {
		return nil, err
	}
	return &loaded{storeID: org.StoreID, branding: org.Branding.Clone(), version: org.Version,
		save: func(ctx context.Context, b storage.Branding, version int64) (int64, error) {
			org.Branding = b
			err := s.store.UpdateOrganization(ctx, org, version)
			return org.Version, err
		}}, nil
}

// Get returns the owner's branding.
func (s *Brandings) Get(ctx context.Context, a Actor, o BrandOwner) (BrandingView, error) {
	l, err := s.load(ctx, a, ReadConfig, o)
	if err != nil {
		return BrandingView{}, err
	}
	return viewBranding(l.branding, l.version), nil
}

// Update replaces the colours, extra CSS and links if the owner is still
// at version (0: whatever it is now), and stores the stylesheet they make
// (action APPLICATION|organization.branding_updated). Every problem is
// reported at once.
func (s *Brandings) Update(ctx context.Context, a Actor, o BrandOwner, version int64, in BrandingInput) (BrandingView, error) {
	if _, err := s.load(ctx, a, WriteConfig, o); err != nil {
		return BrandingView{}, err
	}
	in, css, err := checkBranding(in)
	if err != nil {
		return BrandingView{}, err
	}
	return s.change(ctx, a, o, version, "branding_updated", func(ctx context.Context, b *storage.Branding) error {
		style, err := s.putStylesheet(ctx, css)
		if err != nil {
			return err
		}
		b.Colors, b.DarkColors, b.ExtraCSS, b.StyleAsset = in.Colors, in.DarkColors, in.ExtraCSS, style
		b.SupportURL, b.SupportEmail, b.TermsURL, b.PrivacyURL = in.SupportURL, in.SupportEmail, in.TermsURL, in.PrivacyURL
		return nil
	})
}

// change runs edit on the owner's branding in an audited transaction.
func (s *Brandings) change(ctx context.Context, a Actor, o BrandOwner, version int64, verb string,
	edit func(ctx context.Context, b *storage.Branding) error) (BrandingView, error) {
	first, err := s.load(ctx, a, WriteConfig, o)
	if err != nil {
		return BrandingView{}, err
	}
	var out BrandingView
	err = s.core.Apply(ctx, a, WriteConfig, first.storeID, func(ctx context.Context) (Change, error) {
		l, err := s.load(ctx, a, WriteConfig, o)
		if err != nil {
			return Change{}, err
		}
		if version == 0 {
			version = l.version
		}
		before := viewBranding(l.branding, l.version)
		b := l.branding.Clone()
		if err := edit(ctx, &b); err != nil {
			return Change{}, err
		}
		if version == l.version && b.Equal(l.branding) {
			// Nothing changed: no new version, no audit entry whose
			// before equals its after.
			out = before
			return Change{}, nil
		}
		v, err := l.save(ctx, b, version)
		if err != nil {
			return Change{}, err
		}
		out = viewBranding(b, v)
		return Change{Action: o.kind() + "." + verb, TargetType: o.kind(), TargetID: o.id(), StoreID: l.storeID,
			Before: before, After: out}, nil
	})
	return out, err
}

// putStylesheet stores a generated stylesheet and returns its hash; ""
// for no stylesheet.
func (s *Brandings) putStylesheet(ctx context.Context, css string) (string, error) {
	if css == "" {
		return "", nil
	}
	return s.putAsset(ctx, "text/css; charset=utf-8", []byte(css))
}

func (s *Brandings) putAsset(ctx context.Context, contentType string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if err := s.store.PutBrandAsset(ctx, &storage.BrandAsset{Hash: hash, ContentType: contentType, Data: data}); err != nil {
		return "", err
	}
	return hash, nil
}

// Draft stores the stylesheet of unsaved values and returns its URL ("" for
// none), for a preview before saving. Assets are immutable and addressed
// by content, so a draft changes nothing anyone sees.
func (s *Brandings) Draft(ctx context.Context, a Actor, o BrandOwner, in BrandingInput) (string, error) {
	if _, err := s.load(ctx, a, WriteConfig, o); err != nil {
		return "", err
	}
	_, css, err := checkBranding(in)
	if err != nil {
		return "", err
	}
	hash, err := s.putStylesheet(ctx, css)
	return storage.BrandAssetURL(hash), err
}

// checkBranding trims the input, checks all of it and builds its
// stylesheet.
func checkBranding(in BrandingInput) (BrandingInput, string, error) {
	p := Problems{}
	in.Colors, in.DarkColors = trimmedValues(in.Colors), trimmedValues(in.DarkColors)
	in.ExtraCSS = strings.TrimSpace(in.ExtraCSS)
	css, problems := themes.BrandStylesheet(in.Colors, in.DarkColors, in.ExtraCSS)
	for k, msg := range problems {
		p.Add(k, msg)
	}
	for field, u := range map[string]*string{"support_url": &in.SupportURL, "terms_url": &in.TermsURL, "privacy_url": &in.PrivacyURL} {
		*u = strings.TrimSpace(*u)
		if *u != "" && !brandLinkOK(*u) {
			p.Add(field, "an absolute https URL (http only for localhost)")
		}
	}
	in.SupportEmail = strings.TrimSpace(in.SupportEmail)
	if in.SupportEmail != "" {
		addr, err := mail.ParseAddress(in.SupportEmail)
		if err != nil || addr.Name != "" || addr.Address != in.SupportEmail || len(in.SupportEmail) > 254 {
			p.Add("support_email", "a plain e-mail address such as help@example.com")
		}
	}
	return in, css, p.Err()
}

// trimmedValues drops empty values (a field left blank) and trims the
// rest; nil for none.
func trimmedValues(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v = strings.TrimSpace(v); v != "" {
			out[strings.TrimSpace(k)] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// brandLinkOK: an https URL, or http to the local machine (a developer's
// own support page), without credentials.
func brandLinkOK(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || len(s) > 2000 {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		ip := net.ParseIP(h)
		return h == "localhost" || (ip != nil && ip.IsLoopback())
	}
	return false
}
