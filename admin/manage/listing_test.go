package manage

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func listItems() []listKey {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return []listKey{
		{ID: "s3", Name: "beta", Created: t0.Add(2 * time.Hour)},
		{ID: "s1", Name: "Alpha", Created: t0.Add(3 * time.Hour)},
		{ID: "s5", Name: "gamma", Created: t0.Add(time.Hour)},
		{ID: "s2", Name: "alpha", Created: t0.Add(3 * time.Hour)},
		{ID: "s4", Name: "Beta", Created: t0},
		{ID: "x9", Name: "delta", Created: t0.Add(4 * time.Hour)},
	}
}

func ids(items []listKey) []string {
	out := make([]string, len(items))
	for i, k := range items {
		out[i] = k.ID
	}
	return out
}

func self(k listKey) listKey { return k }

// walk reads every page of the list, limit items at a time.
func walk(t *testing.T, all []listKey, o ListOptions) []string {
	t.Helper()
	var got []string
	for range len(all) + 1 {
		p, err := listPage(all, self, o)
		if err != nil {
			t.Fatalf("listPage(%+v): %v", o, err)
		}
		if o.Limit > 0 && len(p.Items) > o.Limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), o.Limit)
		}
		got = append(got, ids(p.Items)...)
		if p.Next == "" {
			return got
		}
		o.After = p.Next
	}
	t.Fatal("paging does not end")
	return nil
}

func TestListPageOrdersAndFilters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		o    ListOptions
		want []string
	}{
		{"default is name with id tie-break", ListOptions{}, []string{"s1", "s2", "s4", "s3", "x9", "s5"}},
		{"name", ListOptions{Sort: SortName}, []string{"s1", "s2", "s4", "s3", "x9", "s5"}},
		{"name descending", ListOptions{Sort: SortNameDesc}, []string{"s5", "x9", "s3", "s4", "s2", "s1"}},
		{"created with ties by id", ListOptions{Sort: SortCreated}, []string{"s4", "s5", "s3", "s1", "s2", "x9"}},
		{"created descending", ListOptions{Sort: SortCreatedDesc}, []string{"x9", "s2", "s1", "s3", "s5", "s4"}},
		{"filter on name ignores case", ListOptions{Filter: "BET"}, []string{"s4", "s3"}},
		{"filter on id", ListOptions{Filter: "x9"}, []string{"x9"}},
		{"filter trimmed", ListOptions{Filter: "  alp "}, []string{"s1", "s2"}},
		{"filter matches nothing", ListOptions{Filter: "zzz"}, []string{}},
		{"filter and descending", ListOptions{Filter: "a", Sort: SortNameDesc}, []string{"s5", "x9", "s3", "s4", "s2", "s1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := listPage(listItems(), self, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Items); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if p.Next != "" {
				t.Errorf("Next = %q without a limit", p.Next)
			}
		})
	}
}

func TestListPagePagesInEveryOrder(t *testing.T) {
	t.Parallel()
	for _, sort := range []string{SortName, SortNameDesc, SortCreated, SortCreatedDesc} {
		for _, filter := range []string{"", "a", "s"} {
			for _, limit := range []int{1, 2, 4, 5} {
				whole, err := listPage(listItems(), self, ListOptions{Sort: sort, Filter: filter})
				if err != nil {
					t.Fatal(err)
				}
				got := walk(t, listItems(), ListOptions{Sort: sort, Filter: filter, Limit: limit})
				if want := ids(whole.Items); !slices.Equal(got, want) {
					t.Errorf("sort %q filter %q limit %d: pages %v, whole list %v", sort, filter, limit, got, want)
				}
			}
		}
	}
}

func TestListPageContinuesAfterTheLastItemIsGone(t *testing.T) {
	t.Parallel()
	p, err := listPage(listItems(), self, ListOptions{Sort: SortNameDesc, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p.Items); !slices.Equal(got, []string{"s5", "x9", "s3"}) {
		t.Fatalf("first page %v", got)
	}
	rest := slices.DeleteFunc(listItems(), func(k listKey) bool { return k.ID == "s3" })
	p, err = listPage(rest, self, ListOptions{Sort: SortNameDesc, Limit: 3, After: p.Next})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p.Items); !slices.Equal(got, []string{"s4", "s2", "s1"}) || p.Next != "" {
		t.Errorf("second page %v next %q", got, p.Next)
	}
}

func TestListPageRefusesBadInput(t *testing.T) {
	t.Parallel()
	first, err := listPage(listItems(), self, ListOptions{Sort: SortName, Filter: "a", Limit: 1})
	if err != nil || first.Next == "" {
		t.Fatalf("first page: %v, next %q", err, first.Next)
	}
	cases := []struct {
		name  string
		o     ListOptions
		field string
	}{
		{"unknown sort", ListOptions{Sort: "size"}, "sort"},
		{"cursor of another sort", ListOptions{Sort: SortNameDesc, Filter: "a", After: first.Next}, "cursor"},
		{"cursor of another filter", ListOptions{Sort: SortName, Filter: "b", After: first.Next}, "cursor"},
		{"cursor without filter", ListOptions{After: first.Next}, "cursor"},
		{"garbage cursor", ListOptions{After: "not json"}, "cursor"},
		{"cursor without id", ListOptions{After: `{"s":"name","f":""}`}, "cursor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := listPage(listItems(), self, c.o)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if _, ok := ve.Fields[c.field]; !ok {
				t.Errorf("fields %v, want %q", ve.Fields, c.field)
			}
		})
	}
}
