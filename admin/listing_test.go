package admin

import (
	"net/url"
	"slices"
	"testing"

	"foyer/admin/manage"
)

// names walks every page of a list with the query, limit 2 a page, and
// returns the names in the order served.
func (e *storesAPI) names(t *testing.T, token, path string, q url.Values) []string {
	t.Helper()
	q.Set("limit", "2")
	var got []string
	for range 20 {
		page := decodeBody[list[struct{ Name string }]](t, e.must(t, 200, token, "GET", path+"?"+q.Encode(), "", ""))
		for _, it := range page.Items {
			got = append(got, it.Name)
		}
		if page.NextCursor == "" {
			return got
		}
		q.Set("cursor", page.NextCursor)
	}
	t.Fatalf("%s?%s: paging does not end", path, q.Encode())
	return nil
}

// q and sort order and filter the whole list, page after page, and a
// cursor of another sort or filter, or an unknown sort, is a 400.
func TestListQueryAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		for _, s := range []string{`{"id":"us","name":"United States","identifier_types":["email"]}`,
			`{"id":"apac","name":"Asia Pacific","identifier_types":["email"]}`,
			`{"id":"uk","name":"united kingdom","identifier_types":["email"]}`} {
			e.must(t, 201, "owner-bot", "POST", "/stores", s, "")
		}
		for _, g := range []string{"gold", "Silver", "bronze", "golden", "Gold-plus"} {
			e.must(t, 201, "eu-bot", "POST", "/stores/eu/groups", `{"name":"`+g+`"}`, "")
		}
		cases := []struct {
			token, path, q, sort string
			want                 []string
		}{
			{"admin-bot", "/stores", "", "", []string{"Asia Pacific", "eu", "united kingdom", "United States"}},
			{"admin-bot", "/stores", "", "-name", []string{"United States", "united kingdom", "eu", "Asia Pacific"}},
			{"admin-bot", "/stores", "UNITED", "-name", []string{"United States", "united kingdom"}},
			{"admin-bot", "/stores", "ap", "", []string{"Asia Pacific"}},
			{"owner-bot", "/stores", "admin", "", []string{"administrators"}},
			{"eu-bot", "/stores", "", "-name", []string{"eu"}},
			{"auditor-bot", "/stores/eu/groups", "", "", []string{"bronze", "gold", "Gold-plus", "golden", "Silver"}},
			{"auditor-bot", "/stores/eu/groups", "", "-name", []string{"Silver", "golden", "Gold-plus", "gold", "bronze"}},
			{"auditor-bot", "/stores/eu/groups", "", "created", []string{"gold", "Silver", "bronze", "golden", "Gold-plus"}},
			{"auditor-bot", "/stores/eu/groups", "", "-created", []string{"Gold-plus", "golden", "bronze", "Silver", "gold"}},
			{"auditor-bot", "/stores/eu/groups", "gold", "-name", []string{"golden", "Gold-plus", "gold"}},
			{"auditor-bot", "/stores/eu/groups", "zzz", "", nil},
		}
		for _, c := range cases {
			got := e.names(t, c.token, c.path, url.Values{"q": {c.q}, "sort": {c.sort}})
			if !slices.Equal(got, c.want) {
				t.Errorf("%s q=%q sort=%q as %s: %v, want %v", c.path, c.q, c.sort, c.token, got, c.want)
			}
		}

		first := decodeBody[list[manage.Group]](t, e.must(t, 200, "auditor-bot", "GET", "/stores/eu/groups?limit=1&sort=-name&q=g", "", ""))
		if first.NextCursor == "" {
			t.Fatal("no next cursor")
		}
		cursor := url.QueryEscape(first.NextCursor)
		for _, q := range []string{"sort=name&q=g", "sort=-name&q=go", "sort=-name", "sort=size", "sort=-name&q=g&cursor=bm90IGpzb24"} {
			if q != "sort=-name&q=g&cursor=bm90IGpzb24" && q != "sort=size" {
				q += "&cursor=" + cursor
			}
			rec := e.must(t, 400, "auditor-bot", "GET", "/stores/eu/groups?"+q, "", "")
			if rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: Content-Type %q", q, rec.Header().Get("Content-Type"))
			}
		}
		e.must(t, 400, "admin-bot", "GET", "/stores?sort=-created&cursor="+cursor, "", "")
		e.must(t, 200, "auditor-bot", "GET", "/stores/eu/groups?limit=1&sort=-name&q=g&cursor="+cursor, "", "")
	})
}
