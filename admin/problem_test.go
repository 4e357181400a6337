package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"foyer/admin/manage"
)

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != problemMediaType {
		t.Fatalf("Content-Type %q, want %q", ct, problemMediaType)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", rec.Body, err)
	}
	if p.Status != rec.Code {
		t.Fatalf("problem status %d, response status %d", p.Status, rec.Code)
	}
	return p
}

func TestWriteProblem(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/admin/api/v1/clients/x", nil)
	writeProblem(rec, req, http.StatusNotFound, "Not found", "no such client")
	p := decodeProblem(t, rec)
	want := Problem{Type: "about:blank", Title: "Not found", Status: 404, Detail: "no such client", Instance: "/admin/api/v1/clients/x"}
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Fatalf("problem %+v, want %+v", p, want)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
}

func TestWriteServiceError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		status   int
		typ      string
		detail   string
		fieldErr []FieldError
	}{
		{"validation", &manage.ValidationError{Fields: map[string]string{"name": "required", "client_name": "too long"}},
			422, ProblemValidation, "", []FieldError{{"client_name", "too long"}, {"name", "required"}}},
		{"wrapped validation", fmt.Errorf("create: %w", manage.Problems{"x": "bad"}.Err()), 422, ProblemValidation, "", []FieldError{{"x", "bad"}}},
		{"forbidden", fmt.Errorf("x: %w", manage.ErrForbidden), 403, "about:blank", "", nil},
		{"not found", manage.ErrNotFound, 404, "about:blank", "", nil},
		{"conflict", manage.ErrConflict, 409, "about:blank", "", nil},
		{"conflict with the service's detail", fmt.Errorf("delete: %w", manage.Conflict("the store is not empty")), 409, "about:blank",
			"the store is not empty", nil},
		{"conflict with other text", fmt.Errorf("%w: UNIQUE constraint failed: accounts.email", manage.ErrConflict), 409, "about:blank",
			"The change conflicts with the resource's current state or with another resource.", nil},
		{"stale", manage.ErrStale, 412, ProblemStale, "", nil},
		{"bad request", fmt.Errorf("%w: limit is off", errBadRequest), 400, ProblemBadRequest, "limit is off", nil},
		{"if-match required", errIfMatchRequired, 428, ProblemNoIfMatch, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			if err := writeServiceError(rec, httptest.NewRequest(http.MethodGet, "/x", nil), tc.err); err != nil {
				t.Fatalf("returned %v, want it answered", err)
			}
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			p := decodeProblem(t, rec)
			if p.Type != tc.typ || p.Title == "" || p.Instance != "/x" {
				t.Fatalf("problem %+v, want type %s", p, tc.typ)
			}
			if tc.detail != "" && p.Detail != tc.detail {
				t.Fatalf("detail %q, want %q", p.Detail, tc.detail)
			}
			if fmt.Sprint(p.Errors) != fmt.Sprint(tc.fieldErr) {
				t.Fatalf("errors %+v, want %+v", p.Errors, tc.fieldErr)
			}
		})
	}
}

// An error the caller can do nothing about is returned, not answered: the
// adapter answers 500 without its cause.
func TestWriteServiceErrorReturnsOthers(t *testing.T) {
	t.Parallel()
	boom := errors.New("database gone")
	rec := httptest.NewRecorder()
	err := writeServiceError(rec, httptest.NewRequest(http.MethodGet, "/x", nil), boom)
	if !errors.Is(err, boom) {
		t.Fatalf("returned %v, want it to wrap %v", err, boom)
	}
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Fatalf("wrote %q for an error it returned", rec.Body)
	}
}
