package themes

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// all: because partials start with "_", which embed skips by default.
//
//go:embed all:default
var defaultFS embed.FS

// ErrUnknownTemplate is returned by Render for a Page.Template that the theme
// does not define.
var ErrUnknownTemplate = errors.New("themes: unknown template")

// Options configures New.
type Options struct {
	// OverrideDir, if set, is a directory laid out like the embedded default
	// theme (templates/, static/, locales/) whose files take precedence.
	OverrideDir string
	// DefaultLanguage is the last resort of negotiation; "en" when empty.
	DefaultLanguage string
	// DefaultAppName is shown when a page's Branding has no AppName; "Foyer"
	// when empty.
	DefaultAppName string
	// PublicURL is the server's external origin (the issuer). E-mails
	// resolve brand paths such as an uploaded logo's against it: a mail
	// client has no origin of its own to resolve them against.
	PublicURL string
	// Catalogs, if set, supplies translation packages uploaded at run
	// time; they are cached for CatalogTTL (DefaultCatalogTTL when zero).
	Catalogs   CatalogSource
	CatalogTTL time.Duration
	// Now is the clock of the package cache; time.Now when nil.
	Now func() time.Time
	// LanguagePath is where the footer's language picker sends its GET
	// form (LanguageHandler's route); "/language" when empty.
	LanguagePath string
	// SecureCookies marks the picker's cookie Secure (an https issuer).
	SecureCookies bool
}

// Renderer renders themed pages. It is safe for concurrent use: what New
// loads never changes; the idle copies of pages and e-mails and the
// translation-package cache are kept behind locks.
type Renderer struct {
	defaultLang string
	appName     string
	publicURL   string                       // Options.PublicURL without a trailing "/"
	catalogs    map[string]map[string]string // lang -> key -> format
	builtin     *langSet                     // the catalogs' tags
	overlays    *overlays                    // nil without Options.Catalogs
	pages       map[string]*pageTemplate
	static      map[string]*staticFile // "app.css" -> file
	emails      map[string]*emailKind
	pickerPath  string
	secure      bool
}

// New loads and parses the default theme with Options.OverrideDir layered on
// top. Any unreadable file, bad catalog or template error fails here.
func New(opts Options) (*Renderer, error) {
	base, err := fs.Sub(defaultFS, "default")
	if err != nil {
		return nil, fmt.Errorf("themes: embedded theme: %w", err)
	}
	layers := []fs.FS{base}
	if opts.OverrideDir != "" {
		st, err := os.Stat(opts.OverrideDir)
		if err != nil {
			return nil, fmt.Errorf("themes: override dir: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("themes: override dir %q is not a directory", opts.OverrideDir)
		}
		layers = append(layers, os.DirFS(opts.OverrideDir))
	}
	r := &Renderer{
		defaultLang: opts.DefaultLanguage,
		appName:     opts.DefaultAppName,
		publicURL:   strings.TrimSuffix(opts.PublicURL, "/"),
	}
	if r.defaultLang == "" {
		r.defaultLang = "en"
	}
	if r.appName == "" {
		r.appName = "Foyer"
	}
	r.pickerPath, r.secure = opts.LanguagePath, opts.SecureCookies
	if r.pickerPath == "" {
		r.pickerPath = "/language"
	}
	if opts.Catalogs != nil {
		r.overlays = &overlays{src: opts.Catalogs, ttl: opts.CatalogTTL, now: opts.Now, scopes: map[string]overlayEntry{}}
		if r.overlays.ttl == 0 {
			r.overlays.ttl = DefaultCatalogTTL
		}
		if r.overlays.now == nil {
			r.overlays.now = time.Now
		}
	}
	if err := r.loadCatalogs(layers); err != nil {
		return nil, err
	}
	if _, ok := r.catalogs[r.defaultLang]; !ok {
		return nil, fmt.Errorf("themes: no catalog for default language %q", r.defaultLang)
	}
	if err := r.loadStatic(layers); err != nil {
		return nil, err
	}
	if err := r.loadTemplates(layers); err != nil {
		return nil, err
	}
	if err := r.loadEmails(layers); err != nil {
		return nil, err
	}
	return r, nil
}

// collect returns, for every file directly under dir (or below it when
// recursive) whose name has suffix, the content from the topmost layer that
// has it. Later layers win.
func collect(layers []fs.FS, dir, suffix string, recursive bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, layer := range layers {
		err := fs.WalkDir(layer, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == dir {
					return fs.SkipDir // the override need not have every folder
				}
				return err
			}
			if d.IsDir() {
				if p != dir && !recursive {
					return fs.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, suffix) || strings.HasPrefix(path.Base(p), ".") {
				return nil
			}
			b, err := fs.ReadFile(layer, p)
			if err != nil {
				return err
			}
			out[strings.TrimPrefix(p, dir+"/")] = b
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("themes: reading %s: %w", dir, err)
		}
	}
	return out, nil
}

// sortedKeys returns m's keys in order, so loading is deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
