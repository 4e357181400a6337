package storage

import (
	"context"
	"strings"
	"time"
)

// TranslationPackage is a translated catalog uploaded for an identity store
// or one of its applications, on top of the built-in catalogs. A package
// may be partial: keys it lacks fall back (application, store, built-in
// catalog, default language, English).
type TranslationPackage struct {
	ID      string
	StoreID string
	// ApplicationID is "" for a package of the whole store.
	ApplicationID string
	// Language is a canonical BCP 47 tag ("fr", "pt-BR").
	Language string
	// Catalog maps message keys to fmt format strings.
	Catalog   map[string]string
	UpdatedAt time.Time
	// UpdatedBy names who uploaded it (an administrator's id or e-mail).
	UpdatedBy string
}

// TranslationPackages stores translation packages, unique per (store,
// application, language).
type TranslationPackages interface {
	// PutTranslationPackage creates or replaces the package of its
	// (store, application, language), returning the one it replaced (nil
	// when new). The store must exist (ErrNotFound).
	PutTranslationPackage(ctx context.Context, p *TranslationPackage) (previous *TranslationPackage, err error)
	// GetTranslationPackage reads one package (ErrNotFound).
	GetTranslationPackage(ctx context.Context, storeID, applicationID, language string) (*TranslationPackage, error)
	// ListTranslationPackages lists the packages of a store
	// (applicationID "") or of one application, by language, catalogs
	// included.
	ListTranslationPackages(ctx context.Context, storeID, applicationID string) ([]TranslationPackage, error)
	// ListScopeTranslationPackages lists, in one statement, the packages a
	// page of the application sees: its store's, then (applicationID not
	// "") the application's, each by language, catalogs included.
	ListScopeTranslationPackages(ctx context.Context, storeID, applicationID string) ([]TranslationPackage, error)
	// DeleteTranslationPackage removes one package (ErrNotFound).
	DeleteTranslationPackage(ctx context.Context, storeID, applicationID, language string) error
	// TranslationLanguages returns the distinct languages of every
	// package, sorted.
	TranslationLanguages(ctx context.Context) ([]string, error)
}

// TranslationScope names the packages that apply to an application's pages
// and e-mails, for themes.Branding.Scope: its store's and its own.
// applicationID may be "" (a page that belongs to the store only).
func TranslationScope(storeID, applicationID string) string {
	if storeID == "" {
		return ""
	}
	return storeID + "/" + applicationID
}

// ParseTranslationScope splits a TranslationScope.
func ParseTranslationScope(scope string) (storeID, applicationID string, ok bool) {
	storeID, applicationID, ok = strings.Cut(scope, "/")
	return storeID, applicationID, ok && storeID != ""
}
