package storage

import (
	"context"
	"maps"
	"reflect"
	"time"
)

// Branding is an application's or an organization's look beyond its name,
// logo URL and primary colour, which predate it and keep their columns.
// Every field is optional; an organization's set fields win over its
// application's one by one (see OrganizationBranding).
type Branding struct {
	// LogoAsset and FaviconAsset name uploaded BrandAssets by hash; an
	// uploaded logo wins over the owner's LogoURL.
	LogoAsset    string `json:"logo_asset,omitempty"`
	FaviconAsset string `json:"favicon_asset,omitempty"`
	// Colors and DarkColors are the theme's CSS custom properties (names
	// without "--", e.g. "bg", "text") for the light and the dark colour
	// scheme, as the administrator set them; ExtraCSS is appended after
	// them. StyleAsset is the stylesheet generated from the three on save,
	// stored as a BrandAsset so that pages link it by content hash.
	Colors     map[string]string `json:"colors,omitempty"`
	DarkColors map[string]string `json:"dark_colors,omitempty"`
	ExtraCSS   string            `json:"extra_css,omitempty"`
	StyleAsset string            `json:"style_asset,omitempty"`
	// The links every page's footer and every e-mail offer.
	SupportURL   string `json:"support_url,omitempty"`
	SupportEmail string `json:"support_email,omitempty"`
	TermsURL     string `json:"terms_url,omitempty"`
	PrivacyURL   string `json:"privacy_url,omitempty"`
}

// IsZero reports whether nothing is set.
func (b Branding) IsZero() bool {
	return b.LogoAsset == "" && b.FaviconAsset == "" && len(b.Colors) == 0 && len(b.DarkColors) == 0 &&
		b.ExtraCSS == "" && b.StyleAsset == "" && b.SupportURL == "" && b.SupportEmail == "" &&
		b.TermsURL == "" && b.PrivacyURL == ""
}

// Clone returns a copy that shares no maps with b.
func (b Branding) Clone() Branding {
	b.Colors, b.DarkColors = maps.Clone(b.Colors), maps.Clone(b.DarkColors)
	return b
}

// Equal reports whether b and o set the same branding (a nil map and an
// empty one alike).
func (b Branding) Equal(o Branding) bool {
	if !maps.Equal(b.Colors, o.Colors) || !maps.Equal(b.DarkColors, o.DarkColors) {
		return false
	}
	b.Colors, b.DarkColors, o.Colors, o.DarkColors = nil, nil, nil, nil
	return reflect.DeepEqual(b, o)
}

// BrandAsset is an uploaded logo or favicon, or a generated brand
// stylesheet, kept in the database so that every node serves it. It is
// addressed by the SHA-256 of its bytes (lower-case hex), so its URL
// changes with its content and may be cached for good.
type BrandAsset struct {
	Hash        string
	ContentType string
	Data        []byte
	CreatedAt   time.Time
}

// BrandAssetPath is where assets are served: BrandAssetPath + hash.
const BrandAssetPath = "/brand/"

// BrandAssetURL is the path an asset is served at; "" for no asset.
func BrandAssetURL(hash string) string {
	if hash == "" {
		return ""
	}
	return BrandAssetPath + hash
}

// BrandAssets stores brand assets. Assets are immutable: putting one whose
// hash exists already changes nothing.
type BrandAssets interface {
	PutBrandAsset(ctx context.Context, a *BrandAsset) error
	// GetBrandAsset returns the asset or ErrNotFound.
	GetBrandAsset(ctx context.Context, hash string) (*BrandAsset, error)
}
