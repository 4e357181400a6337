package admin

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
)

// openAPIFiles are the API's description (OpenAPI 3.1): base.json (info,
// security, the shared components) and one fragment per resource,
// {"paths": {...}, "components": {"schemas": {...}}}, written beside the
// resource's handlers. They are files rather than generated so that
// reviewers read the contract as callers see it; a test holds the
// assembled document to the routes Mount registers.
//
//go:embed openapi/*.json
var openAPIFiles embed.FS

// ErrOpenAPI is an OpenAPI fragment that does not fit the others: a path
// or component defined twice, a $ref to nothing, a malformed file.
var ErrOpenAPI = errors.New("admin: openapi document")

// baseFile is the fragment the others are merged into.
const baseFile = "base.json"

// OpenAPIDocument assembles and checks the API's description from its
// fragments: an error (ErrOpenAPI) is a fragment that does not fit.
func OpenAPIDocument() ([]byte, error) {
	return assembleOpenAPI(openAPIFiles, "openapi")
}

// assembleOpenAPI merges every fragment of dir in fsys into base.json and
// checks the result.
func assembleOpenAPI(fsys fs.FS, dir string) ([]byte, error) {
	var doc map[string]any
	if err := readJSON(fsys, path.Join(dir, baseFile), &doc); err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOpenAPI, err)
	}
	sort.Strings(names)
	for _, name := range names {
		if path.Base(name) == baseFile {
			continue
		}
		var frag map[string]any
		if err := readJSON(fsys, name, &frag); err != nil {
			return nil, err
		}
		if err := mergeFragment(doc, frag, path.Base(name)); err != nil {
			return nil, err
		}
	}
	if err := checkOpenAPI(doc); err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

func readJSON(fsys fs.FS, name string, v any) error {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrOpenAPI, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrOpenAPI, name, err)
	}
	return nil
}

// mergeFragment adds the fragment's paths and components to doc; a name
// doc has already is an error, so two resources cannot silently replace
// each other's description.
func mergeFragment(doc, frag map[string]any, name string) error {
	for key := range frag {
		if key != "paths" && key != "components" {
			return fmt.Errorf("%w: %s: a fragment holds only paths and components, not %q", ErrOpenAPI, name, key)
		}
	}
	if err := mergeSection(doc, frag, "paths", name); err != nil {
		return err
	}
	comps, ok := frag["components"].(map[string]any)
	if !ok && frag["components"] != nil {
		return fmt.Errorf("%w: %s: components is not an object", ErrOpenAPI, name)
	}
	docComps := object(doc, "components")
	for kind := range comps {
		if err := mergeSection(docComps, comps, kind, name+": components"); err != nil {
			return err
		}
	}
	return nil
}

// mergeSection copies src[key]'s members into dst[key], refusing any
// already there.
func mergeSection(dst, src map[string]any, key, where string) error {
	if src[key] == nil {
		return nil
	}
	from, ok := src[key].(map[string]any)
	if !ok {
		return fmt.Errorf("%w: %s: %s is not an object", ErrOpenAPI, where, key)
	}
	into := object(dst, key)
	for name, v := range from {
		if _, dup := into[name]; dup {
			return fmt.Errorf("%w: %s: %s %q is defined twice", ErrOpenAPI, where, key, name)
		}
		into[name] = v
	}
	return nil
}

// object is m[key] as an object, made when absent.
func object(m map[string]any, key string) map[string]any {
	o, ok := m[key].(map[string]any)
	if !ok {
		o = map[string]any{}
		m[key] = o
	}
	return o
}

// checkOpenAPI holds the assembled document to the basic shape of
// OpenAPI 3.1 and resolves every local $ref.
func checkOpenAPI(doc map[string]any) error {
	if doc["openapi"] != "3.1.0" {
		return fmt.Errorf("%w: openapi is %v, want 3.1.0", ErrOpenAPI, doc["openapi"])
	}
	if _, ok := doc["info"].(map[string]any); !ok {
		return fmt.Errorf("%w: info is missing", ErrOpenAPI)
	}
	if _, ok := doc["paths"].(map[string]any); !ok {
		return fmt.Errorf("%w: paths is missing", ErrOpenAPI)
	}
	var bad []string
	walkRefs(doc, func(ref string) {
		if !resolves(doc, ref) {
			bad = append(bad, ref)
		}
	})
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("%w: unresolved $ref %s", ErrOpenAPI, strings.Join(bad, ", "))
	}
	return nil
}

func walkRefs(v any, fn func(string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, inner := range t {
			if s, ok := inner.(string); ok && k == "$ref" {
				fn(s)
				continue
			}
			walkRefs(inner, fn)
		}
	case []any:
		for _, inner := range t {
			walkRefs(inner, fn)
		}
	}
}

// resolves reports whether ref is a local JSON pointer ("#/a/b") to
// something in doc.
func resolves(doc map[string]any, ref string) bool {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[tok]; !ok {
			return false
		}
	}
	return true
}

// serveOpenAPI needs no token: the document is public, like discovery.
func (h *Handler) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(h.openAPI)
}
