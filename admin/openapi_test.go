package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// routeHandler is a handler whose routes can be walked and whose public
// document can be fetched; its collaborators are never called.
func routeHandler(t *testing.T) (*Handler, *mux.Router) {
	t.Helper()
	h, err := New(Deps{Tokens: fakeTokens{}, Core: manage.NewCore(grantsOnly{}, nil), Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(nil, nil, nil, ""), Audit: manage.NewAudit(nil),
		Applications: manage.NewApplications(nil, nil), Policies: manage.NewPolicies(nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	router := mux.NewRouter()
	h.Mount(router)
	return h, router
}

// operations lists "METHOD /path" of every route under APIPrefix that
// Mount registers (HEAD, which answers with GET, left out).
func operations(t *testing.T, router *mux.Router) []string {
	t.Helper()
	var ops []string
	err := router.Walk(func(rt *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		methods, _ := rt.GetMethods() // none on a path route: its methods are its subroutes
		if len(methods) == 0 {
			return nil
		}
		tmpl, err := rt.GetPathTemplate()
		if err != nil {
			return err
		}
		for _, m := range methods {
			if m != http.MethodHead {
				ops = append(ops, m+" "+strings.TrimPrefix(tmpl, APIPrefix))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(ops)
	return slices.Compact(ops)
}

// httpMethods are the keys of a path item that are operations.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Every operation the OpenAPI document describes is a route Mount
// registers, and every route is described.
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	t.Parallel()
	h, router := routeHandler(t)
	var doc struct {
		Servers []struct{ URL string }    `json:"servers"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(h.openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != APIPrefix {
		t.Fatalf("servers %+v", doc.Servers)
	}
	var described []string
	operationIDs := map[string]string{}
	for p, item := range doc.Paths {
		for m, op := range item {
			if !slices.Contains(httpMethods, m) {
				continue
			}
			described = append(described, strings.ToUpper(m)+" "+p)
			// Every operation has a unique operationId and its answers.
			o, _ := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if prev, dup := operationIDs[id]; id == "" || dup {
				t.Errorf("%s %s: operationId %q (also %s)", m, p, id, prev)
			}
			operationIDs[id] = m + " " + p
			if responses, _ := o["responses"].(map[string]any); len(responses) == 0 {
				t.Errorf("%s %s describes no responses", m, p)
			}
		}
	}
	sort.Strings(described)
	routed := operations(t, router)
	for _, op := range routed {
		if !slices.Contains(described, op) {
			t.Errorf("%s is routed but not described", op)
		}
	}
	for _, op := range described {
		if !slices.Contains(routed, op) {
			t.Errorf("%s is described but not routed", op)
		}
	}
	if len(routed) < 6 {
		t.Fatalf("only %d routes found: %v", len(routed), routed)
	}
}

// The document is served without a token, as assembled.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	h, router := routeHandler(t)
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, APIPrefix+"/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != string(h.openAPI) {
		t.Fatalf("%d %s", rec.Code, rec.Header())
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("served %v (%v)", doc["openapi"], err)
	}
}

// A document assembled beforehand (OpenAPIDocument, which the server
// calls while its theme loads) is the one New would assemble, and New
// serves it as given.
func TestOpenAPIGivenToNew(t *testing.T) {
	t.Parallel()
	h, _ := routeHandler(t)
	doc, err := OpenAPIDocument()
	if err != nil || string(doc) != string(h.openAPI) {
		t.Fatalf("OpenAPIDocument differs from New's own (%v)", err)
	}
	given := []byte(`{"openapi": "3.1.0"}`)
	h, err = New(Deps{Tokens: fakeTokens{}, Core: manage.NewCore(grantsOnly{}, nil), Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(nil, nil, nil, ""), Audit: manage.NewAudit(nil),
		Applications: manage.NewApplications(nil, nil), Policies: manage.NewPolicies(nil, nil), OpenAPI: given})
	if err != nil {
		t.Fatal(err)
	}
	router := mux.NewRouter()
	h.Mount(router)
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, APIPrefix+"/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != string(given) {
		t.Errorf("served %d %q, want the document given", rec.Code, rec.Body)
	}
}

const testBase = `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {}}},
	"components": {"schemas": {"Problem": {"type": "object"}}}}`

func TestAssembleOpenAPI(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"d/base.json": {Data: []byte(testBase)},
		"d/b.json": {Data: []byte(`{"paths": {"/b": {"get": {"responses": {"400": {"$ref": "#/components/schemas/B"}}}}},
			"components": {"schemas": {"B": {"$ref": "#/components/schemas/Problem"}}}}`)},
		"d/c.json": {Data: []byte(`{"paths": {"/c/{id}": {"put": {}}}, "components": {"parameters": {"Id": {}}}}`)},
	}
	raw, err := assembleOpenAPI(fsys, "d")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]any
		Components map[string]map[string]any
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != 3 || len(doc.Components["schemas"]) != 2 || doc.Components["parameters"]["Id"] == nil {
		t.Fatalf("assembled %s", raw)
	}
}

// A fragment that does not fit is a start-up error, naming what is wrong.
func TestAssembleOpenAPIRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, base, frag, want string }{
		{"duplicate path", testBase, `{"paths": {"/a": {"post": {}}}}`, `paths "/a" is defined twice`},
		{"duplicate schema", testBase, `{"components": {"schemas": {"Problem": {}}}}`, `schemas "Problem" is defined twice`},
		{"unresolved ref", testBase, `{"paths": {"/x": {"get": {"$ref": "#/components/schemas/Nope"}}}}`, "unresolved $ref #/components/schemas/Nope"},
		{"remote ref", testBase, `{"paths": {"/x": {"get": {"$ref": "other.json#/x"}}}}`, "unresolved $ref other.json#/x"},
		{"other keys", testBase, `{"info": {}}`, `not "info"`},
		{"paths not an object", testBase, `{"paths": []}`, "paths is not an object"},
		{"malformed fragment", testBase, `{"paths": `, "x.json"},
		{"wrong version", strings.Replace(testBase, "3.1.0", "3.0.3", 1), `{}`, "want 3.1.0"},
		{"no info", `{"openapi": "3.1.0", "paths": {}}`, `{}`, "info is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{"d/base.json": {Data: []byte(tc.base)}, "d/x.json": {Data: []byte(tc.frag)}}
			_, err := assembleOpenAPI(fsys, "d")
			if !errors.Is(err, ErrOpenAPI) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
	if _, err := assembleOpenAPI(fstest.MapFS{}, "d"); !errors.Is(err, ErrOpenAPI) {
		t.Fatalf("no base.json: %v", err)
	}
}
