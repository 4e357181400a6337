package themes

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// MaxCatalogSize bounds an uploaded translation package, in bytes: the
// English catalog is well under a quarter of it.
const MaxCatalogSize = 512 << 10

// verbPattern matches a fmt verb with its flags, width and precision.
var verbPattern = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

// Verbs returns the fmt verbs of format in order ("%s", "%d", "%%").
func Verbs(format string) []string { return verbPattern.FindAllString(format, -1) }

// CatalogProblem is one thing wrong with a translation catalog.
type CatalogProblem struct {
	Key    string `json:"key,omitempty"`
	Detail string `json:"detail"`
}

// CheckCatalog checks cat, a translation of the reference catalog en: every
// key must exist in en, carry the same fmt verbs in the same order (so the
// arguments land in the same places) and not be blank. Keys en has and cat
// lacks are allowed (they fall back) and counted in missing. Every problem
// is returned, sorted by key.
func CheckCatalog(en, cat map[string]string) (problems []CatalogProblem, missing int) {
	for _, k := range slices.Sorted(maps.Keys(cat)) {
		ref, ok := en[k]
		switch {
		case !ok:
			problems = append(problems, CatalogProblem{Key: k, Detail: "unknown key: the English catalog has no such string"})
		case strings.TrimSpace(cat[k]) == "":
			problems = append(problems, CatalogProblem{Key: k, Detail: "empty translation"})
		case fmt.Sprint(Verbs(ref)) != fmt.Sprint(Verbs(cat[k])):
			problems = append(problems, CatalogProblem{Key: k, Detail: fmt.Sprintf(
				"placeholders %v differ from English %v (same verbs, same order)", Verbs(cat[k]), Verbs(ref))})
		}
	}
	for k := range en {
		if _, ok := cat[k]; !ok {
			missing++
		}
	}
	return problems, missing
}

// ParseCatalog decodes an uploaded catalog: a JSON object of strings, at
// most MaxCatalogSize bytes.
func ParseCatalog(b []byte) (map[string]string, error) {
	if len(b) > MaxCatalogSize {
		return nil, fmt.Errorf("catalog is %d bytes, more than the limit of %d", len(b), MaxCatalogSize)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("catalog must be a JSON object of strings: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("catalog must be a JSON object of strings")
	}
	return m, nil
}

// CanonicalLanguage returns tag in the form catalogs are named ("pt-BR")
// when it is a well-formed BCP 47 tag naming a language x/text knows.
func CanonicalLanguage(tag string) (string, bool) {
	if !tagPattern.MatchString(tag) {
		return "", false
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", false
	}
	if strings.EqualFold(strings.SplitN(tag, "-", 2)[0], "und") || t.IsRoot() {
		return "", false
	}
	return canonicalTag(tag), true
}

// Catalog returns a copy of the built-in catalog of lang (after the
// override directory), English filling any key it lacks, so a download is
// a complete starting point for a translation. ok is false when lang has
// no built-in catalog: the copy is then English.
func (r *Renderer) Catalog(lang string) (cat map[string]string, ok bool) {
	cat = maps.Clone(r.catalogs["en"])
	own, ok := r.catalogs[canonicalTag(lang)]
	maps.Copy(cat, own)
	return cat, ok
}
