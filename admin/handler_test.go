package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// Every operation the OpenAPI document describes is a route Mount
// registers, and every route is described. (The behaviour behind the
// routes is tested end to end in cmd/foyer, over a real store and real
// tokens.)
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Servers []struct{ URL string }    `json:"servers"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != APIPrefix {
		t.Fatalf("openapi %q, servers %+v", doc.OpenAPI, doc.Servers)
	}
	router := mux.NewRouter()
	(&Handler{}).Mount(router)
	described := 0
	for path, item := range doc.Paths {
		for method := range item {
			if method == "parameters" {
				continue
			}
			described++
			req := httptest.NewRequest(strings.ToUpper(method), APIPrefix+strings.ReplaceAll(path, "{id}", "some-id"), nil)
			var match mux.RouteMatch
			if !router.Match(req, &match) {
				t.Errorf("%s %s is described but not routed", method, path)
			}
		}
	}
	// Mount registers six routes: list, create, read, update, delete, and
	// the document itself.
	if described != 6 {
		t.Errorf("the document describes %d operations, Mount registers 6", described)
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, contentType, body, wantErr string
	}{
		{"ok", "application/json", `{"client_name":"x"}`, ""},
		{"ok with charset", "application/json; charset=utf-8", `{"client_name":"x"}`, ""},
		{"form", "application/x-www-form-urlencoded", `{"client_name":"x"}`, "must be application/json"},
		{"no content type", "", `{"client_name":"x"}`, "must be application/json"},
		{"unknown field", "application/json", `{"client_nam":"x"}`, `unknown field "client_nam"`},
		{"wrong type", "application/json", `{"public":"yes"}`, `field "public" has the wrong type`},
		{"array", "application/json", `[]`, "must be a JSON object"},
		{"truncated", "application/json", `{"client_name":`, "not valid JSON"},
		{"empty", "application/json", ``, "not valid JSON"},
		{"trailing data", "application/json", `{} x`, "single JSON object"},
		{"too large", "application/json", `{"client_name":"` + strings.Repeat("x", maxBody) + `"}`, "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			var in ClientInput
			err := decodeJSON(httptest.NewRecorder(), req, &in)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(describe(err, errBadRequest), tc.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
			}
		})
	}
}
