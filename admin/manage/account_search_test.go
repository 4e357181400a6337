package manage_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// searchEnv is a store "s1" with a schema attribute "city" the console
// shows and "risk_note" it hides, three
// accounts, a store "s2", and the administrators store with one account.
type searchEnv struct {
	s       storage.Store
	search  *manage.AccountSearch
	ids     map[string]string // e-mail -> id
	adminID string
}

func newSearchEnv(t *testing.T) *searchEnv {
	t.Helper()
	s := sqltest.SQLite(t)
	ctx := t.Context()
	for _, st := range []*storage.IdentityStore{
		{ID: storage.AdministratorsStoreID, Name: "Administrators"},
		{ID: "s1", Name: "One", Attributes: []storage.AttributeDef{{Name: "city", AdminVisible: true}, {Name: "risk_note"}}},
		{ID: "s2", Name: "Two"},
	} {
		if err := s.CreateIdentityStore(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	e := &searchEnv{s: s, search: manage.NewAccountSearch(manage.NewCore(s, nil), s), ids: map[string]string{}}
	for _, a := range []*storage.Account{
		{StoreID: "s1", Email: "ann@example.com", EmailConfirmed: true, Attributes: map[string]string{"city": "Berlin", "risk_note": "fraud"}},
		{StoreID: "s1", Email: "bob@example.com", Status: storage.AccountDisabled},
		{StoreID: "s1", Email: "cleo@example.com", Attributes: map[string]string{"city": "Bern"}},
		{StoreID: "s2", Email: "dan@example.com"},
		{StoreID: storage.AdministratorsStoreID, Email: "root@example.com"},
	} {
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		e.ids[a.Email] = a.ID
	}
	e.adminID = e.ids["root@example.com"]
	return e
}

func (e *searchEnv) emails(page manage.Page[manage.AccountSummary]) []string {
	var out []string
	for _, it := range page.Items {
		out = append(out, it.Email)
	}
	slices.Sort(out)
	return out
}

func TestAccountSearchPermissions(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t)
	ctx := t.Context()
	for _, c := range []struct {
		name  string
		actor manage.Actor
		store string
		want  error
	}{
		{"support", support, "s1", nil},
		{"auditor", auditor, "s1", nil},
		{"admin", admin, "s1", nil},
		{"support of s1", grantee(storage.RoleSupport, "s1"), "s1", nil},
		{"support of s2 on s1", grantee(storage.RoleSupport, "s2"), "s1", manage.ErrForbidden},
		{"owner on the administrators store", owner, storage.AdministratorsStoreID, manage.ErrNotFound},
		{"unknown store", support, "nope", manage.ErrNotFound},
	} {
		page, err := e.search.Search(ctx, c.actor, c.store, manage.AccountQuery{})
		if c.want == nil && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
		if c.want == nil && len(page.Items) != 3 {
			t.Errorf("%s: %d accounts, want the 3 of s1", c.name, len(page.Items))
		}
	}
}

func TestAccountSearchFiltersAndLabels(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t)
	ctx := t.Context()
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"email=ANN@example.com", []string{"ann@example.com"}},
		{"email_prefix=B", []string{"bob@example.com"}},
		{"attr.city=berlin", []string{"ann@example.com"}},
		{"attr_prefix.city=BER", []string{"ann@example.com", "cleo@example.com"}},
		{"status=disabled", []string{"bob@example.com"}},
		{"email_verified=false", []string{"bob@example.com", "cleo@example.com"}},
		{"created_after=2000-01-01T00:00:00Z&created_before=2100-01-01", []string{"ann@example.com", "bob@example.com", "cleo@example.com"}},
	} {
		v, _ := url.ParseQuery(c.query)
		q, err := manage.ParseAccountQuery(v)
		if err != nil {
			t.Fatal(err)
		}
		page, err := e.search.Search(ctx, support, "s1", q)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got := e.emails(page); !slices.Equal(got, c.want) {
			t.Errorf("%s: found %v, want %v", c.query, got, c.want)
		}
	}
	page, err := e.search.Search(ctx, support, "s1", manage.AccountQuery{Email: "ann@example.com"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("Search = %+v, %v", page, err)
	}
	if got := page.Items[0].Labels; !slices.Equal(got, []manage.Label{manage.LabelEnabled, manage.LabelEmailVerified}) {
		t.Errorf("labels = %v, want enabled, email_verified", got)
	}
}

func TestAccountSearchValidation(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t)
	ctx := t.Context()
	first, err := e.search.Search(ctx, support, "s1", manage.AccountQuery{Limit: 1})
	if err != nil || first.Next == "" {
		t.Fatalf("first page = %+v, %v; want a next cursor", first, err)
	}
	for _, c := range []struct {
		name  string
		q     manage.AccountQuery
		field string
	}{
		{"unknown attribute", manage.AccountQuery{Attributes: map[string]string{"shoe_size": "42"}}, "attr.shoe_size"},
		{"unknown attribute prefix", manage.AccountQuery{AttributePrefixes: map[string]string{"shoe_size": "4"}}, "attr_prefix.shoe_size"},
		// Only attributes the console shows are searched (README), as on
		// the console's own search panel.
		{"hidden attribute", manage.AccountQuery{Attributes: map[string]string{"risk_note": "fraud"}}, "attr.risk_note"},
		{"hidden attribute prefix", manage.AccountQuery{AttributePrefixes: map[string]string{"risk_note": "f"}}, "attr_prefix.risk_note"},
		{"bad time", manage.AccountQuery{CreatedAfter: "yesterday"}, "created_after"},
		{"bad last login time", manage.AccountQuery{LastLoginBefore: "2026-13-01"}, "last_login_before"},
		{"bad status", manage.AccountQuery{Status: "gone"}, "status"},
		{"bad flag", manage.AccountQuery{IdentityVerified: "yes"}, "identity_verified"},
		{"bad sort", manage.AccountQuery{Sort: "name"}, "sort"},
		{"limit too high", manage.AccountQuery{Limit: 201}, "limit"},
		{"limit too low", manage.AccountQuery{Limit: -1}, "limit"},
		{"cursor of another search", manage.AccountQuery{Limit: 1, Status: "enabled", Cursor: first.Next}, "cursor"},
		{"cursor of another sort", manage.AccountQuery{Limit: 1, Sort: "email", Cursor: first.Next}, "cursor"},
		{"garbage cursor", manage.AccountQuery{Cursor: "!!"}, "cursor"},
	} {
		_, err := e.search.Search(ctx, support, "s1", c.q)
		var ve *manage.ValidationError
		if !errors.As(err, &ve) || ve.Fields[c.field] == "" {
			t.Errorf("%s: error %v, want a validation error on %s", c.name, err, c.field)
		}
	}
	if _, err := manage.ParseAccountQuery(url.Values{"limit": {"ten"}}); err == nil {
		t.Error("ParseAccountQuery accepted limit=ten")
	}
}

func TestAccountSearchPaging(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t)
	ctx := t.Context()
	var seen []string
	q := manage.AccountQuery{Sort: "email", Limit: 2}
	for range 3 {
		page, err := e.search.Search(ctx, auditor, "s1", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			seen = append(seen, it.Email)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if want := []string{"ann@example.com", "bob@example.com", "cleo@example.com"}; !slices.Equal(seen, want) {
		t.Errorf("pages by e-mail gave %v, want %v", seen, want)
	}
	// Back from the last page (cleo) is the page before it.
	first, err := e.search.Search(ctx, auditor, "s1", manage.AccountQuery{Sort: "email", Limit: 1})
	if err != nil || first.Prev != "" {
		t.Fatalf("first page = %+v, %v; want no previous page", first, err)
	}
	second, err := e.search.Search(ctx, auditor, "s1", manage.AccountQuery{Sort: "email", Limit: 1, Cursor: first.Next})
	if err != nil || second.Prev == "" {
		t.Fatalf("second page = %+v, %v; want a previous page", second, err)
	}
	third, err := e.search.Search(ctx, auditor, "s1", manage.AccountQuery{Sort: "email", Limit: 1, Cursor: second.Next})
	if err != nil || third.Next != "" || third.Items[0].Email != "cleo@example.com" {
		t.Fatalf("third page = %+v, %v", third, err)
	}
	back, err := e.search.Search(ctx, auditor, "s1", manage.AccountQuery{Sort: "email", Limit: 1, Cursor: third.Prev})
	if err != nil || len(back.Items) != 1 || back.Items[0].Email != "bob@example.com" || back.Next == "" || back.Prev == "" {
		t.Fatalf("back from the third page = %+v, %v; want bob with both cursors", back, err)
	}
	back, err = e.search.Search(ctx, auditor, "s1", manage.AccountQuery{Sort: "email", Limit: 1, Cursor: back.Prev})
	if err != nil || len(back.Items) != 1 || back.Items[0].Email != "ann@example.com" || back.Prev != "" {
		t.Fatalf("back to the first page = %+v, %v; want ann and no previous page", back, err)
	}
}

func TestPinnedSearchFields(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t)
	ctx := t.Context()
	me := grantee(storage.RoleSupport, "s1")
	me.ID = e.adminID
	got, err := e.search.PinnedFields(ctx, me)
	if err != nil || len(got) != 0 {
		t.Fatalf("PinnedFields before any = %v, %v", got, err)
	}
	if _, err := e.search.SetPinnedFields(ctx, me, []string{"attr.city", "email", "email"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.search.PinnedFields(ctx, me); !slices.Equal(got, []string{"attr.city", "email"}) {
		t.Errorf("PinnedFields = %v, want [attr.city email]", got)
	}
	var ve *manage.ValidationError
	if _, err := e.search.SetPinnedFields(ctx, me, []string{"email", "password"}); !errors.As(err, &ve) || ve.Fields["fields"] == "" {
		t.Errorf("pinning an unknown field: %v, want a validation error on fields", err)
	}
	if got, _ := e.search.PinnedFields(ctx, me); !slices.Equal(got, []string{"attr.city", "email"}) {
		t.Errorf("a refused change changed the pins to %v", got)
	}
	client := manage.Actor{Kind: storage.PrincipalClient, ID: "c", Grants: support.Grants}
	if _, err := e.search.PinnedFields(ctx, client); !errors.Is(err, manage.ErrForbidden) {
		t.Errorf("a client's pins: %v, want ErrForbidden", err)
	}
}
