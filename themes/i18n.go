package themes

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
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
	r.builtin = newLangSet(sortedKeys(r.catalogs))
	return nil
}

// canonicalTag lower-cases the language, title-cases a script and
// upper-cases a two-letter region ("pt-br" -> "pt-BR", "zh-hant" ->
// "zh-Hant"), which is how catalogs are named and returned.
func canonicalTag(tag string) string {
	parts := strings.Split(tag, "-")
	parts[0] = strings.ToLower(parts[0])
	for i := 1; i < len(parts); i++ {
		switch len(parts[i]) {
		case 2:
			parts[i] = strings.ToUpper(parts[i])
		case 4: // a script: "zh-Hant"
			parts[i] = strings.ToUpper(parts[i][:1]) + strings.ToLower(parts[i][1:])
		default:
			parts[i] = strings.ToLower(parts[i])
		}
	}
	return strings.Join(parts, "-")
}

// Languages returns the tags that have a catalog, built in or uploaded as
// a translation package for any scope, sorted.
func (r *Renderer) Languages() []string {
	return append([]string(nil), r.langSet().langs...)
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
	return r.lookupIn(nil, r.match(lang), key)
}

// lookupIn finds key for the matched language lang: the scope's packages
// (overlay, nil for none) then the built-in catalog, for lang, then the
// default language, then English.
func (r *Renderer) lookupIn(overlay map[string]map[string]string, lang, key string) (string, bool) {
	for _, l := range []string{lang, r.defaultLang, "en"} {
		if s, ok := overlay[l][key]; ok {
			return s, true
		}
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
	return r.negotiate(append(strings.Fields(uiLocales), accountLanguage), acceptLanguage)
}

// negotiate is the first candidate that matches a catalog, else the best
// Accept-Language entry, else the default language.
func (r *Renderer) negotiate(candidates []string, acceptLanguage string) string {
	set := r.langSet()
	for _, c := range candidates {
		if m := set.match(c); m != "" {
			return m
		}
	}
	for _, t := range acceptLanguageTags(acceptLanguage) {
		if m := set.matchTag(t); m != "" {
			return m
		}
	}
	return r.defaultLang
}

// langSet is a set of catalog tags with the matcher over them. It is
// immutable: a new one replaces it when packages add languages.
type langSet struct {
	langs []string // sorted
	has   map[string]bool
	// matcher matches requested languages to the tags named by matchable
	// (those whose names x/text/language parses).
	matcher   language.Matcher
	matchable []string
}

func newLangSet(langs []string) *langSet {
	s := &langSet{langs: langs, has: map[string]bool{}}
	var tags []language.Tag
	for _, l := range langs {
		s.has[l] = true
		if t, err := language.Parse(l); err == nil {
			tags = append(tags, t)
			s.matchable = append(s.matchable, l)
		}
	}
	s.matcher = language.NewMatcher(tags)
	return s
}

// match maps one requested tag ("de-AT", POSIX-style "de_CH") to a catalog
// tag: a catalog of that very name, else the closest catalog by
// x/text/language ("de-AT" -> "de", "pt-PT" -> "pt-BR", "gsw" -> "de").
// It returns "" when nothing fits.
func (r *Renderer) match(tag string) string { return r.langSet().match(tag) }

func (s *langSet) match(tag string) string {
	tag = strings.ReplaceAll(strings.TrimSpace(tag), "_", "-")
	if !tagPattern.MatchString(tag) {
		return ""
	}
	if c := canonicalTag(tag); s.has[c] {
		return c
	}
	t, err := language.Parse(tag)
	if err != nil {
		return ""
	}
	return s.matchTag(t)
}

// matchTag is the catalog closest to t, or "" when the matcher is less than
// highly confident (a different language altogether).
func (s *langSet) matchTag(t language.Tag) string {
	if len(s.matchable) == 0 {
		return ""
	}
	_, i, confidence := s.matcher.Match(t)
	if confidence < language.High {
		return ""
	}
	return s.matchable[i]
}

// acceptLanguageTags returns the tags of an Accept-Language header ordered
// by q-value (equal weights keep header order), without q=0 entries and
// the "*" wildcard, which the default language covers. A malformed entry
// costs only itself, not the whole header.
func acceptLanguageTags(h string) []language.Tag {
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil {
		type weighted struct {
			tag language.Tag
			q   float32
		}
		var ws []weighted
		for _, part := range strings.Split(h, ",") {
			t, q, err := language.ParseAcceptLanguage(part)
			if err == nil && len(t) == 1 {
				ws = append(ws, weighted{t[0], q[0]})
			}
		}
		sort.SliceStable(ws, func(i, j int) bool { return ws[i].q > ws[j].q })
		tags = make([]language.Tag, len(ws))
		for i, w := range ws {
			tags[i] = w.tag
		}
	}
	// ParseAcceptLanguage reads "*" as "mul" (multiple languages).
	return slices.DeleteFunc(tags, func(t language.Tag) bool { return t == language.Make("mul") })
}
