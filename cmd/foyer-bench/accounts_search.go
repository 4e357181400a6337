package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"foyer/admin/manage"
	"foyer/cmd/internal/devseed"
	"foyer/storage/sqlstore"
)

const (
	// pageDepth is the page of the sorted list whose latency counts: far
	// enough that an OFFSET scan would show.
	pageDepth = 500
	// sampleStride spreads the sampled accounts over the seed.
	sampleStride = 7919
)

// searchFigure is one kind of search, timed over many requests.
type searchFigure struct {
	name  string
	res   result
	items int // rows in all answers, for the average
	// example is one request's query, as sent (and explained).
	example url.Values
}

func (f *searchFigure) avgItems() float64 {
	if n := len(f.res.latencies); n > 0 {
		return float64(f.items) / float64(n)
	}
	return 0
}

// searchPage is the part of the list's answer the bench reads.
type searchPage struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// runSearches times each search kind over n requests, one at a time (the
// latency an administrator waits for, not a throughput), with queries
// drawn from the seeded accounts.
func runSearches(ctx context.Context, admin *adminAPI, seed *devseed.Result, n int) ([]searchFigure, error) {
	gen, size := seed.Generator, seed.Accounts
	queries := map[string]func(k int) url.Values{
		"email_prefix": func(k int) url.Values {
			e := gen.Account(benchStore, k*sampleStride%size).Email
			return url.Values{"email_prefix": {e[:min(8, strings.IndexByte(e, '@'))]}}
		},
		"attr.family_name": func(k int) url.Values {
			a := gen.Account(benchStore, k*sampleStride%size)
			return url.Values{"attr.family_name": {a.Attributes["family_name"]}}
		},
		"group": func(k int) url.Values {
			return url.Values{"group": {seed.GroupIDs[k%len(seed.GroupIDs)]}}
		},
		"list page 1 (-created)": func(int) url.Values { return url.Values{} },
	}
	var out []searchFigure
	for _, name := range []string{"email_prefix", "attr.family_name", "group", "list page 1 (-created)"} {
		f := searchFigure{name: name, example: queries[name](0)}
		f.time(ctx, admin, n, queries[name])
		out = append(out, f)
	}
	deep, err := deepPage(ctx, admin)
	if err != nil {
		return out, err
	}
	deep.time(ctx, admin, n, func(int) url.Values { return deep.example })
	return append(out, deep), ctx.Err()
}

// time sends n requests built by query and records each.
func (f *searchFigure) time(ctx context.Context, admin *adminAPI, n int, query func(k int) url.Values) {
	rec := &recorder{}
	began := time.Now()
	for k := 0; k < n && ctx.Err() == nil; k++ {
		t0 := time.Now()
		page, err := admin.search(ctx, query(k))
		if err != nil {
			rec.fail(err)
			continue
		}
		rec.ok(time.Since(t0))
		f.items += len(page.Items)
	}
	f.res = result{backend: "postgres", scenario: f.name, conns: 1, elapsed: time.Since(began)}
	f.res.merge([]*recorder{rec})
}

// deepPage walks the default list (newest first) to page pageDepth and
// returns the figure whose every request is that page.
func deepPage(ctx context.Context, admin *adminAPI) (searchFigure, error) {
	q := url.Values{}
	for page := 1; page < pageDepth; page++ {
		p, err := admin.search(ctx, q)
		if err != nil {
			return searchFigure{}, fmt.Errorf("walking to page %d: %w", pageDepth, err)
		}
		if p.NextCursor == "" {
			return searchFigure{}, fmt.Errorf("the list ends at page %d: seed at least %d accounts", page,
				pageDepth*manage.DefaultSearchLimit)
		}
		q = url.Values{"cursor": {p.NextCursor}}
	}
	return searchFigure{name: fmt.Sprintf("list page %d (-created)", pageDepth), example: q}, nil
}

func (a *adminAPI) search(ctx context.Context, q url.Values) (*searchPage, error) {
	r, err := a.call(ctx, http.MethodGet, "/stores/"+benchStore+"/accounts?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("GET /stores/{store}/accounts: status %d: %s", r.status, snippet(r.body))
	}
	var p searchPage
	if err := json.Unmarshal(r.body, &p); err != nil {
		return nil, fmt.Errorf("GET /stores/{store}/accounts: %w", err)
	}
	return &p, nil
}

// queryPlan is the plan of one read of a search.
type queryPlan struct{ name, query, sql, plan string }

// explainSearches has PostgreSQL EXPLAIN ANALYZE the reads each figure's
// example runs: the service turns the same query parameters (cursor
// included) into the same storage search the API runs.
func explainSearches(ctx context.Context, s *sqlstore.Store, figures []searchFigure) ([]queryPlan, error) {
	searches := manage.NewAccountSearch(nil, s) // Prepare reads the store only
	var out []queryPlan
	for _, f := range figures {
		q, err := manage.ParseAccountQuery(f.example)
		if err != nil {
			return nil, err
		}
		search, err := searches.Prepare(ctx, manage.System(), benchStore, q)
		if err != nil {
			return nil, err
		}
		search.Limit++ // as Search asks, to know whether a next page exists
		reads, err := s.Explain(ctx, func(ctx context.Context) error {
			_, err := s.SearchAccounts(ctx, search.AccountSearch)
			return err
		})
		if err != nil {
			return nil, err
		}
		shown := f.example.Encode()
		if len(shown) > 120 {
			shown = shown[:120] + "..."
		}
		for _, r := range reads {
			out = append(out, queryPlan{name: f.name, query: shown, sql: fmt.Sprintf("%s\n-- args %v", r.SQL, r.Args), plan: r.Plan})
		}
	}
	return out, nil
}
