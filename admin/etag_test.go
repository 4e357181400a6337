package admin

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSetETag(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	setETag(rec, 12)
	if got := rec.Header().Get("ETag"); got != `"12"` {
		t.Fatalf("ETag %s", got)
	}
}

func TestIfMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header []string
		want   int64
		err    error
	}{
		{"strong", []string{`"3"`}, 3, nil},
		{"spaces", []string{` "42" `}, 42, nil},
		{"missing", nil, 0, errIfMatchRequired},
		{"empty", []string{""}, 0, errIfMatchRequired},
		{"star", []string{"*"}, 0, errIfMatchRequired},
		{"weak", []string{`W/"3"`}, 0, errBadRequest},
		{"unquoted", []string{"3"}, 0, errBadRequest},
		{"not a number", []string{`"abc"`}, 0, errBadRequest},
		{"zero", []string{`"0"`}, 0, errBadRequest},
		{"list", []string{`"1", "2"`}, 0, errBadRequest},
		{"two headers", []string{`"1"`, `"2"`}, 0, errBadRequest},
		{"quote only", []string{`"`}, 0, errBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPut, "/x", nil)
			for _, h := range tc.header {
				req.Header.Add("If-Match", h)
			}
			v, err := ifMatch(req)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || v != tc.want {
				t.Fatalf("got (%d, %v), want %d", v, err, tc.want)
			}
		})
	}
}

// A missing If-Match is answered 428 and a malformed one 400, as problems.
func TestIfMatchProblems(t *testing.T) {
	t.Parallel()
	for header, status := range map[string]int{"": 428, "W/\"1\"": 400} {
		req := httptest.NewRequest(http.MethodPut, "/x", nil)
		if header != "" {
			req.Header.Set("If-Match", header)
		}
		_, err := ifMatch(req)
		rec := httptest.NewRecorder()
		if err := writeServiceError(rec, req, err); err != nil {
			t.Fatal(err)
		}
		if p := decodeProblem(t, rec); p.Status != status {
			t.Fatalf("If-Match %q: status %d, want %d", header, p.Status, status)
		}
	}
}
