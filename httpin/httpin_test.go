package httpin

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStrictForm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, query, contentType, body string
		wantRepeated                   string
		wantNotForm                    bool
	}{
		{name: "plain", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&scope=a"},
		{name: "with charset", contentType: "application/x-www-form-urlencoded; charset=UTF-8", body: "grant_type=client_credentials"},
		{name: "repeated grant_type", contentType: "application/x-www-form-urlencoded", body: "grant_type=a&grant_type=b", wantRepeated: "grant_type"},
		{name: "in query and body", query: "scope=a", contentType: "application/x-www-form-urlencoded", body: "scope=b", wantRepeated: "scope"},
		{name: "multipart", contentType: "multipart/form-data; boundary=x", body: "--x--", wantNotForm: true},
		{name: "json", contentType: "application/json", body: `{"grant_type":"client_credentials"}`, wantNotForm: true},
		{name: "garbage type", contentType: "%%%", body: "grant_type=client_credentials", wantNotForm: true},
		{name: "no type", body: "grant_type=client_credentials", wantNotForm: true},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/token?"+c.query, strings.NewReader(c.body))
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		err := StrictForm(r)
		var rep *RepeatedError
		switch {
		case c.wantNotForm:
			if !errors.Is(err, ErrNotForm) {
				t.Errorf("%s: err %v, want ErrNotForm", c.name, err)
			}
		case c.wantRepeated != "":
			if !errors.As(err, &rep) || rep.Name != c.wantRepeated {
				t.Errorf("%s: err %v, want %q repeated", c.name, err, c.wantRepeated)
			}
		case err != nil:
			t.Errorf("%s: err %v", c.name, err)
		}
	}
	// a GET's query is checked too
	r := httptest.NewRequest(http.MethodGet, "/oauth2/auth?client_id=a&client_id=b", nil)
	var rep *RepeatedError
	if err := StrictForm(r); !errors.As(err, &rep) || rep.Name != "client_id" {
		t.Errorf("GET with a repeated client_id: %v", err)
	}
}

func TestNoDuplicateKeys(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`{"a":1,"b":2}`:                         "",
		`{"a":1,"a":2}`:                         "a",
		`{"a":{"b":1,"b":2}}`:                   "b",
		`[{"x":1},{"x":2}]`:                     "", // one key per object is fine
		`{"l":[1,{"k":true,"k":false}]}`:        "k",
		`{"a":"{\"a\":1}","b":{"a":1}}`:         "",
		`{"redirect_uris":["a","a"]}`:           "", // duplicate values are the decoder's business
		`{"a":1,`:                               "", // malformed: left to the decoder
		`not json`:                              "",
		`{"a":1,"b":{"c":[1,2,{"d":0}]},"a":3}`: "a",
	}
	for doc, want := range cases {
		err := NoDuplicateKeys([]byte(doc))
		var dup *DuplicateKeyError
		if want == "" && err != nil || want != "" && (!errors.As(err, &dup) || dup.Key != want) {
			t.Errorf("NoDuplicateKeys(%s) = %v, want duplicate %q", doc, err, want)
		}
	}
}

// TestNoDuplicateKeysBoundsNesting: the walk recurses once per level, and
// encoding/json's Token API has no depth limit, so a 64 KiB body of "["
// cost every request some 30 MB of stack (and a larger one could overflow
// it, which no recover catches). Nesting beyond MaxDepth is refused
// before it costs anything; documents as deep as any real one pass.
func TestNoDuplicateKeysBoundsNesting(t *testing.T) {
	t.Parallel()
	ok := strings.Repeat(`{"a":[`, MaxDepth/2) + `1` + strings.Repeat(`]}`, MaxDepth/2)
	if err := NoDuplicateKeys([]byte(ok)); err != nil {
		t.Errorf("a document %d levels deep = %v, want accepted", MaxDepth, err)
	}
	for _, doc := range []string{strings.Repeat("[", 64<<10), strings.Repeat(`{"a":`, MaxDepth+1)} {
		if err := NoDuplicateKeys([]byte(doc)); !errors.Is(err, ErrTooDeep) {
			t.Errorf("a document deeper than %d levels (%.12s...) = %v, want ErrTooDeep", MaxDepth, doc, err)
		}
	}
}
