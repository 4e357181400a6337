package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPageParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query string
		limit       int
		after       string
		bad         bool
	}{
		{"defaults", "", 50, "", false},
		{"limit", "limit=7", 7, "", false},
		{"max", "limit=200", 200, "", false},
		{"cursor", "cursor=" + nextCursor("client-42"), 50, "client-42", false},
		{"zero", "limit=0", 0, "", true},
		{"negative", "limit=-1", 0, "", true},
		{"too large", "limit=201", 0, "", true},
		{"not a number", "limit=ten", 0, "", true},
		{"cursor not base64url", "cursor=%2B%2F%3D%3D", 0, "", true},
		{"cursor garbage", "cursor=!!", 0, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			limit, after, err := pageParams(httptest.NewRequest(http.MethodGet, "/x?"+tc.query, nil))
			if tc.bad {
				if !errors.Is(err, errBadRequest) {
					t.Fatalf("error %v, want errBadRequest", err)
				}
				return
			}
			if err != nil || limit != tc.limit || after != tc.after {
				t.Fatalf("got (%d, %q, %v), want (%d, %q)", limit, after, err, tc.limit, tc.after)
			}
		})
	}
}

// A bad cursor is answered 400 as a problem through writeServiceError.
func TestBadCursorIsProblem(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodGet, "/admin/api/v1/clients?cursor=***", nil)
	_, _, err := pageParams(req)
	rec := httptest.NewRecorder()
	if err := writeServiceError(rec, req, err); err != nil {
		t.Fatal(err)
	}
	if p := decodeProblem(t, rec); p.Status != http.StatusBadRequest || p.Detail == "" {
		t.Fatalf("problem %+v", p)
	}
}

func TestListEnvelope(t *testing.T) {
	t.Parallel()
	key := func(s string) string { return s }
	last, _ := json.Marshal(newList([]string{"a", "b"}, false, key))
	if string(last) != `{"items":["a","b"]}` {
		t.Fatalf("last page %s", last)
	}
	more, _ := json.Marshal(newList([]string{"a", "b"}, true, key))
	if string(more) != `{"items":["a","b"],"next_cursor":"`+nextCursor("b")+`"}` {
		t.Fatalf("page with more %s", more)
	}
	empty, _ := json.Marshal(newList[string](nil, false, key))
	if string(empty) != `{"items":[]}` {
		t.Fatalf("empty page %s", empty)
	}
}
