package storagetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"foyer/storage"
)

// eventPageAreas are the paged activity log's conformance cases; Run
// includes them.
var eventPageAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"EventsPageOrder", testEventsPageOrder},
	{"EventsPageKinds", testEventsPageKinds},
	{"EventsPageRange", testEventsPageRange},
}

// appendEvents appends one event per kind at the given times (one time
// for all when times has one entry) and returns them in append order.
func appendEvents(t *testing.T, s storage.Store, accountID string, kinds []string, times ...time.Time) []storage.Event {
	t.Helper()
	out := make([]storage.Event, 0, len(kinds))
	for i, k := range kinds {
		when := times[min(i, len(times)-1)]
		e := &storage.Event{AccountID: accountID, Kind: k, Actor: accountID, IP: "203.0.113.7",
			Data: map[string]string{"n": fmt.Sprint(i)}, CreatedAt: when}
		must(t, "AppendEvent", s.AppendEvent(t.Context(), e))
		if e.Seq == 0 {
			t.Fatal("AppendEvent left Seq unset")
		}
		out = append(out, *e)
	}
	return out
}

// pageAll reads every page of limit events and returns the ids in order.
func pageAll(t *testing.T, s storage.Store, accountID string, f storage.EventFilter, limit int) []string {
	t.Helper()
	var ids []string
	for range 100 {
		page, err := s.ListEventsPage(t.Context(), accountID, f, limit)
		must(t, "ListEventsPage", err)
		if len(page) > limit {
			t.Fatalf("ListEventsPage returned %d events, limit %d", len(page), limit)
		}
		for _, e := range page {
			ids = append(ids, e.ID)
		}
		if len(page) < limit {
			return ids
		}
		f.Before = page[len(page)-1].Position()
	}
	t.Fatal("ListEventsPage never reached the end")
	return nil
}

func eventIDs(events []storage.Event) []string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// Newest first; events of one microsecond in append order, newest first,
// and a cursor inside such a run continues without gaps or repeats.
func testEventsPageOrder(t *testing.T, s storage.Store) {
	acct := unique("acct")
	t0 := at(0)
	older := appendEvents(t, s, acct, []string{"login.succeeded", "login.failed"}, t0.Add(-2*time.Hour), t0.Add(-time.Hour))
	same := appendEvents(t, s, acct, []string{"a.1", "a.2", "a.3", "a.4", "a.5"}, t0.Add(1500*time.Nanosecond))
	newest := appendEvents(t, s, acct, []string{"logout"}, t0.Add(time.Hour))
	appendEvents(t, s, unique("other"), []string{"login.succeeded"}, t0)

	var want []string
	for _, group := range [][]storage.Event{newest, same, older} {
		ids := eventIDs(group)
		slices.Reverse(ids)
		want = append(want, ids...)
	}
	for _, limit := range []int{1, 2, 3, 8, 50} {
		if got := pageAll(t, s, acct, storage.EventFilter{}, limit); !slices.Equal(got, want) {
			t.Errorf("pages of %d = %v, want %v", limit, got, want)
		}
	}
	first, err := s.ListEventsPage(t.Context(), acct, storage.EventFilter{}, 2)
	must(t, "ListEventsPage", err)
	got := first[0]
	if got.Kind != "logout" || got.Actor != acct || got.IP != "203.0.113.7" || got.Data["n"] != "0" ||
		got.AccountID != acct || got.Seq != newest[0].Seq {
		t.Errorf("first event = %+v, want %+v", got, newest[0])
	}
	sameTime(t, "CreatedAt", got.CreatedAt, newest[0].CreatedAt)
	if first[1].Seq != same[4].Seq {
		t.Errorf("second event Seq = %d, want %d (the last appended of the same instant)", first[1].Seq, same[4].Seq)
	}
	none, err := s.ListEventsPage(t.Context(), unique("nobody"), storage.EventFilter{}, 10)
	if err != nil || len(none) != 0 {
		t.Errorf("ListEventsPage of an account without events = %v, %v; want none", none, err)
	}
}

// An exact kind matches only itself, a prefix ending in "." every kind
// under it, and LIKE's wildcards in either are plain characters.
func testEventsPageKinds(t *testing.T, s storage.Store) {
	acct := unique("acct")
	kinds := []string{"login.succeeded", "login.failed", "login.failed.twice", "logout", "mfa.failed",
		"a%b.x", "a_b.y", "axb.z", "aXb.w", "Login.upper"}
	events := appendEvents(t, s, acct, kinds, at(0))
	byKind := map[string]string{}
	for _, e := range events {
		byKind[e.Kind] = e.ID
	}
	for _, c := range []struct {
		kind string
		want []string // kinds, newest (last appended) first
	}{
		{"login.failed", []string{"login.failed"}},
		{"login.", []string{"login.failed.twice", "login.failed", "login.succeeded"}},
		{"login.failed.", []string{"login.failed.twice"}},
		{"log", nil},
		{"a%b.", []string{"a%b.x"}},
		{"a_b.", []string{"a_b.y"}},
		{"a%", nil},
		{"%.", nil},
		{"_.", nil},
		{"mfa.", []string{"mfa.failed"}},
	} {
		var want []string
		for _, k := range c.want {
			want = append(want, byKind[k])
		}
		got := pageAll(t, s, acct, storage.EventFilter{Kind: c.kind}, 2)
		if !slices.Equal(got, want) {
			t.Errorf("kind %q: got %v, want the events of %v", c.kind, got, c.want)
		}
	}
}

// Since is inclusive, Until exclusive, and both combine with a cursor.
func testEventsPageRange(t *testing.T, s storage.Store) {
	acct := unique("acct")
	t0 := at(0)
	var times []time.Time
	var kinds []string
	for i := range 6 {
		times = append(times, t0.Add(time.Duration(i)*time.Minute))
		kinds = append(kinds, fmt.Sprintf("k.%d", i))
	}
	events := appendEvents(t, s, acct, kinds, times...)
	ids := eventIDs(events)
	f := storage.EventFilter{Since: times[1], Until: times[4]}
	want := []string{ids[3], ids[2], ids[1]}
	for _, limit := range []int{1, 2, 10} {
		if got := pageAll(t, s, acct, f, limit); !slices.Equal(got, want) {
			t.Errorf("range [1, 4) in pages of %d = %v, want %v", limit, got, want)
		}
	}
	if got := pageAll(t, s, acct, storage.EventFilter{Since: times[5]}, 10); !slices.Equal(got, ids[5:]) {
		t.Errorf("since the newest = %v, want %v", got, ids[5:])
	}
	if got := pageAll(t, s, acct, storage.EventFilter{Until: times[0]}, 10); len(got) != 0 {
		t.Errorf("until the oldest = %v, want none", got)
	}
	f = storage.EventFilter{Kind: "k.", Since: times[2], Before: events[4].Position()}
	if got := pageAll(t, s, acct, f, 10); !slices.Equal(got, []string{ids[3], ids[2]}) {
		t.Errorf("after event 4 since 2 = %v, want [%s %s]", got, ids[3], ids[2])
	}
}
