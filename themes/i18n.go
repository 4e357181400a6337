package themes

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// tagPattern is the subset of BCP 47 we accept as catalog names and
// candidates: a language, optionally followed by script/region subtags.
var tagPattern = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// loadCatalogs merges locales/*.json of every layer key by key, so an
// override can change a single string without copying the whole catalog.
func (r *Renderer) loadCatalogs(layers []fs.FS) error {
	r.catalogs = map[string]map[string]string{}
	for _, layer := range layers {
		files, err := fs.Glob(layer, "locales/*.json")
		if err != nil {
			return fmt.Errorf("themes: locales: %w", err)
		}
		for _, f := range files {
			tag := strings.TrimSuffix(path.Base(f), ".json")
			if !tagPattern.MatchString(tag) {
				return fmt.Errorf("themes: catalog %s: %q is not a language tag", f, tag)
			}
			b, err := fs.ReadFile(layer, f)
			if err != nil {
				return fmt.Errorf("themes: catalog %s: %w", f, err)
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("themes: catalog %s: %w", f, err)
			}
			tag = canonicalTag(tag)
			if r.catalogs[tag] == nil {
				r.catalogs[tag] = map[string]string{}
			}
			for k, v := range m {
				r.catalogs[tag][k] = v
			}
		}
	}
	r.langs = sortedKeys(r.catalogs)
	return nil
}

// canonicalTag lower-cases the language and upper-cases a two-letter region
// ("pt-br" -> "pt-BR"), which is how catalogs are named and returned.
func canonicalTag(tag string) string {
	parts := strings.Split(tag, "-")
	parts[0] = strings.ToLower(parts[0])
	for i := 1; i < len(parts); i++ {
		if len(parts[i]) == 2 {
			parts[i] = strings.ToUpper(parts[i])
		} else {
			parts[i] = strings.ToLower(parts[i])
		}
	}
	return strings.Join(parts, "-")
}

// Languages returns the tags that have a catalog, sorted.
func (r *Renderer) Languages() []string {
	return append([]string(nil), r.langs...)
}

// T translates key into lang, formatting args with fmt when given. It falls
// back to the default language, then English, then the key itself.
func (r *Renderer) T(lang, key string, args ...any) string {
	format, ok := r.lookup(lang, key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return format // a literal "%" must survive when nothing is formatted
	}
	return fmt.Sprintf(format, args...)
}

func (r *Renderer) lookup(lang, key string) (string, bool) {
	for _, l := range []string{r.match(lang), r.defaultLang, "en"} {
		if s, ok := r.catalogs[l][key]; ok {
			return s, true
		}
	}
	return "", false
}

// Negotiate chooses the page language: the OIDC ui_locales (space-separated,
// in preference order), then the account's language, then Accept-Language by
// q-value, then the default language. The result always has a catalog.
func (r *Renderer) Negotiate(uiLocales, accountLanguage, acceptLanguage string) string {
	candidates := strings.Fields(uiLocales)
	candidates = append(candidates, accountLanguage)
	candidates = append(candidates, parseAcceptLanguage(acceptLanguage)...)
	for _, c := range candidates {
		if m := r.match(c); m != "" {
			return m
		}
	}
	return r.defaultLang
}

// match maps one requested tag to a catalog tag: exact, then the requested
// tag's base language ("de-AT" -> "de"), then any catalog of the same base
// language ("pt" -> "pt-BR"). It returns "" when nothing fits.
func (r *Renderer) match(tag string) string {
	tag = strings.ReplaceAll(strings.TrimSpace(tag), "_", "-") // POSIX-style "de_CH"
	if !tagPattern.MatchString(tag) {
		return ""
	}
	tag = canonicalTag(tag)
	if _, ok := r.catalogs[tag]; ok {
		return tag
	}
	base, _, _ := strings.Cut(tag, "-")
	if _, ok := r.catalogs[base]; ok {
		return base
	}
	for _, l := range r.langs {
		if b, _, _ := strings.Cut(l, "-"); b == base {
			return l
		}
	}
	return ""
}

// parseAcceptLanguage returns the tags of an Accept-Language header ordered
// by q-value (stable, so equal weights keep header order), without q=0
// entries and the "*" wildcard, which the default language covers.
func parseAcceptLanguage(h string) []string {
	type weighted struct {
		tag string
		q   float64
	}
	var ws []weighted
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.TrimSpace(tag)
		if tag == "" || tag == "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight is treated as "not acceptable"
				}
				q = f
			}
		}
		if q > 0 {
			ws = append(ws, weighted{tag, q})
		}
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].q > ws[j].q })
	tags := make([]string, len(ws))
	for i, w := range ws {
		tags[i] = w.tag
	}
	return tags
}
