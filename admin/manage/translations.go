package manage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"foyer/storage"
	"foyer/themes"
)

// TranslationsStore is what the Translations service needs.
type TranslationsStore interface {
	CoreStore
	storage.TranslationPackages
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
}

// BuiltinCatalogs is the renderer's side of translation packages: the
// built-in catalogs to download and check against, and its package cache
// to drop after a change (themes.Renderer).
type BuiltinCatalogs interface {
	Catalog(lang string) (map[string]string, bool)
	BuiltinLanguages() []string
	ForgetCatalogs()
}

// Translations manages translation packages: catalogs translated by the
// operator for an identity store or one application, for the console, the
// API and the CLI. Uploads are checked against the English catalog.
type Translations struct {
	core     *Core
	store    TranslationsStore
	catalogs BuiltinCatalogs
}

// NewTranslations returns the service.
func NewTranslations(core *Core, store TranslationsStore, catalogs BuiltinCatalogs) *Translations {
	return &Translations{core: core, store: store, catalogs: catalogs}
}

// TranslationTarget is what a package belongs to: a store, or one of its
// applications. Name it by StoreID or by ApplicationID (the store is then
// the application's).
type TranslationTarget struct {
	StoreID       string
	ApplicationID string
}

// TranslationLanguage is one language of a target as the API, the console
// and the CLI list it.
type TranslationLanguage struct {
	Language string `json:"language"`
	Name     string `json:"name"` // in the language itself
	Dir      string `json:"dir"`  // "ltr" or "rtl"
	BuiltIn  bool   `json:"built_in"`
	Package  bool   `json:"package"` // an upload exists for the target
	// Keys and Missing count the package's strings and the English keys
	// it lacks (which fall back); zero without a package.
	Keys      int        `json:"keys"`
	Missing   int        `json:"missing"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

// resolve checks the actor may do perm on the target's store and fills in
// the store of an application.
func (s *Translations) resolve(ctx context.Context, a Actor, perm Permission, t TranslationTarget) (TranslationTarget, error) {
	if t.ApplicationID != "" {
		app, err := s.store.GetApplication(ctx, t.ApplicationID)
		if err != nil {
			return t, fmt.Errorf("application %q: %w", t.ApplicationID, err)
		}
		if (t.StoreID != "" && app.StoreID != t.StoreID) || !canSeeStore(a, app.StoreID) {
			return t, fmt.Errorf("application %q: %w", t.ApplicationID, ErrNotFound)
		}
		t.StoreID = app.StoreID
	}
	if err := requireExistingStore(ctx, s.store, a, perm, t.StoreID); err != nil {
		return t, err
	}
	return t, nil
}

func (s *Translations) english() map[string]string {
	en, _ := s.catalogs.Catalog("en")
	return en
}

func (s *Translations) describe(p *storage.TranslationPackage) TranslationLanguage {
	_, builtin := s.catalogs.Catalog(p.Language)
	_, missing := themes.CheckCatalog(s.english(), p.Catalog)
	at := p.UpdatedAt
	return TranslationLanguage{Language: p.Language, Name: themes.LanguageName(p.Language), Dir: themes.Dir(p.Language),
		BuiltIn: builtin, Package: true, Keys: len(p.Catalog), Missing: missing, UpdatedAt: &at, UpdatedBy: p.UpdatedBy}
}

// List returns the target's languages: every built-in catalog and every
// package of the target, by tag.
func (s *Translations) List(ctx context.Context, a Actor, t TranslationTarget) ([]TranslationLanguage, error) {
	t, err := s.resolve(ctx, a, ReadConfig, t)
	if err != nil {
		return nil, err
	}
	pkgs, err := s.store.ListTranslationPackages(ctx, t.StoreID, t.ApplicationID)
	if err != nil {
		return nil, err
	}
	byLang := map[string]TranslationLanguage{}
	for _, l := range s.catalogs.BuiltinLanguages() {
		byLang[l] = TranslationLanguage{Language: l, Name: themes.LanguageName(l), Dir: themes.Dir(l), BuiltIn: true}
	}
	for i := range pkgs {
		byLang[pkgs[i].Language] = s.describe(&pkgs[i])
	}
	out := make([]TranslationLanguage, 0, len(byLang))
	for _, l := range slices.Sorted(maps.Keys(byLang)) {
		out = append(out, byLang[l])
	}
	return out, nil
}

// canonicalLanguage checks a tag and returns it canonical, or a ValidationError.
func canonicalLanguage(tag string) (string, error) {
	lang, ok := themes.CanonicalLanguage(tag)
	if !ok {
		return "", &ValidationError{Fields: map[string]string{"language": fmt.Sprintf("%q is not a BCP 47 language tag (e.g. fr, pt-BR)", tag)}}
	}
	return lang, nil
}

// Export returns the catalog to download for lang: the target's package
// when there is one, else what its pages use today (the built-in catalog,
// English filling its gaps, under the store's package for an application),
// a complete starting point for a translation.
func (s *Translations) Export(ctx context.Context, a Actor, t TranslationTarget, tag string) (map[string]string, error) {
	lang, err := canonicalLanguage(tag)
	if err != nil {
		return nil, err
	}
	if t, err = s.resolve(ctx, a, ReadConfig, t); err != nil {
		return nil, err
	}
	p, err := s.store.GetTranslationPackage(ctx, t.StoreID, t.ApplicationID, lang)
	if err == nil {
		return p.Catalog, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	cat, _ := s.catalogs.Catalog(lang)
	if t.ApplicationID != "" {
		sp, err := s.store.GetTranslationPackage(ctx, t.StoreID, "", lang)
		switch {
		case err == nil:
			maps.Copy(cat, sp.Catalog)
		case !errors.Is(err, storage.ErrNotFound):
			return nil, err
		}
	}
	return cat, nil
}

// Import checks raw (a JSON object of strings) against the English
// catalog and stores it as the target's package for tag, replacing any
// (action translation.uploaded). Every problem is reported at once, per
// key ("catalog.KEY"). A partial catalog is accepted: the answer counts
// the keys it lacks.
func (s *Translations) Import(ctx context.Context, a Actor, t TranslationTarget, tag string, raw []byte) (*TranslationLanguage, error) {
	p := Problems{}
	lang, ok := themes.CanonicalLanguage(tag)
	if !ok {
		p.Add("language", fmt.Sprintf("%q is not a BCP 47 language tag (e.g. fr, pt-BR)", tag))
	}
	cat, err := themes.ParseCatalog(raw)
	if err != nil {
		p.Add("catalog", err.Error())
	} else {
		problems, _ := themes.CheckCatalog(s.english(), cat)
		for _, pr := range problems {
			p.Add("catalog."+pr.Key, pr.Detail)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if t, err = s.resolve(ctx, a, WriteConfig, t); err != nil {
		return nil, err
	}
	pkg := &storage.TranslationPackage{StoreID: t.StoreID, ApplicationID: t.ApplicationID, Language: lang,
		Catalog: cat, UpdatedBy: a.Name}
	var v TranslationLanguage
	err = s.core.Apply(ctx, a, WriteConfig, t.StoreID, func(ctx context.Context) (Change, error) {
		prev, err := s.store.PutTranslationPackage(ctx, pkg)
		if err != nil {
			return Change{}, err
		}
		v = s.describe(pkg)
		c := Change{Action: "translation.uploaded", TargetType: "translation", TargetID: scopeID(t, lang),
			StoreID: t.StoreID, After: auditCatalog(pkg)}
		if prev != nil {
			c.Before = auditCatalog(prev)
		}
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	s.catalogs.ForgetCatalogs()
	return &v, nil
}

// Delete removes the target's package for tag (action translation.deleted).
func (s *Translations) Delete(ctx context.Context, a Actor, t TranslationTarget, tag string) error {
	lang, err := canonicalLanguage(tag)
	if err != nil {
		return err
	}
	if t, err = s.resolve(ctx, a, WriteConfig, t); err != nil {
		return err
	}
	err = s.core.Apply(ctx, a, WriteConfig, t.StoreID, func(ctx context.Context) (Change, error) {
		prev, err := s.store.GetTranslationPackage(ctx, t.StoreID, t.ApplicationID, lang)
		if err != nil {
			return Change{}, fmt.Errorf("translation package %q: %w", lang, err)
		}
		if err := s.store.DeleteTranslationPackage(ctx, t.StoreID, t.ApplicationID, lang); err != nil {
			return Change{}, err
		}
		return Change{Action: "translation.deleted", TargetType: "translation", TargetID: scopeID(t, lang),
			StoreID: t.StoreID, Before: auditCatalog(prev)}, nil
	})
	if err != nil {
		return err
	}
	s.catalogs.ForgetCatalogs()
	return nil
}

// scopeID names a package in the audit log: store[/application]/language.
func scopeID(t TranslationTarget, lang string) string {
	if t.ApplicationID == "" {
		return t.StoreID + "/" + lang
	}
	return t.StoreID + "/" + t.ApplicationID + "/" + lang
}

// auditCatalog is a package as the audit log records it: the strings in
// full, so before → after shows what a translator changed.
func auditCatalog(p *storage.TranslationPackage) map[string]any {
	return map[string]any{"language": p.Language, "application_id": p.ApplicationID, "catalog": p.Catalog}
}

// TranslationSource serves the packages to the renderer
// (themes.CatalogSource). A scope is storage.TranslationScope: a page of
// an application sees its store's packages under its own.
type TranslationSource struct {
	Store storage.TranslationPackages
}

// Languages returns every packaged language.
func (s TranslationSource) Languages(ctx context.Context) ([]string, error) {
	return s.Store.TranslationLanguages(ctx)
}

// Overlay returns the scope's packages, the application's keys over the
// store's.
func (s TranslationSource) Overlay(ctx context.Context, scope string) (map[string]map[string]string, error) {
	storeID, appID, ok := storage.ParseTranslationScope(scope)
	if !ok {
		return nil, nil
	}
	// The store's packages come first: the application's, later, win.
	pkgs, err := s.Store.ListScopeTranslationPackages(ctx, storeID, appID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, p := range pkgs {
		if out[p.Language] == nil {
			out[p.Language] = map[string]string{}
		}
		maps.Copy(out[p.Language], p.Catalog)
	}
	return out, nil
}
