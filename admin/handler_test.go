package admin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"foyer/admin/manage"
)

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
			var in manage.ClientInput
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
