package storagetest

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

// searchIDs runs the search and returns the ids found, in order.
func searchIDs(t *testing.T, s storage.Store, q storage.AccountSearch) []string {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	rows, err := s.SearchAccounts(t.Context(), q)
	must(t, "SearchAccounts", err)
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Account.ID
	}
	return ids
}

// sameSet compares ids ignoring order.
func sameSet(got []string, want ...string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func searchAccount(t *testing.T, s storage.Store, a *storage.Account) *storage.Account {
	t.Helper()
	if a.Status == "" {
		a.Status = storage.AccountEnabled
	}
	must(t, "CreateAccount "+a.Email, s.CreateAccount(t.Context(), a))
	return a
}

// testAccountSearchIdentifiers: exact and prefix searches on e-mail,
// username and phone, case-insensitive, with LIKE's wildcards literal;
// other stores and the administrators store never answer.
func testAccountSearchIdentifiers(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	other := newIdentityStore(t, s)
	must(t, "create administrators store", s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: storage.AdministratorsStoreID, Name: "Administrators"}))
	alice := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: "Alice@Example.com", Username: "Alice_W", Phone: "+4930111"})
	pct := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: "a%b@example.com", Username: "a%b"})
	under := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: "a_c@example.com", Username: "aXc", Phone: "+4930222"})
	abc := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: "abc@example.com", Phone: "+4140333"})
	searchAccount(t, s, &storage.Account{StoreID: other.ID, Email: "alice@example.com"})
	searchAccount(t, s, &storage.Account{StoreID: storage.AdministratorsStoreID, Email: "alice@admin.example"})

	for _, c := range []struct {
		name string
		q    storage.AccountSearch
		want []string
	}{
		{"every account of the store", storage.AccountSearch{}, []string{alice.ID, pct.ID, under.ID, abc.ID}},
		{"email exact, other case", storage.AccountSearch{Email: "ALICE@example.COM"}, []string{alice.ID}},
		{"email exact is not a prefix", storage.AccountSearch{Email: "alice@example"}, nil},
		{"email prefix, other case", storage.AccountSearch{EmailPrefix: "AL"}, []string{alice.ID}},
		{"email prefix a", storage.AccountSearch{EmailPrefix: "a"}, []string{alice.ID, pct.ID, under.ID, abc.ID}},
		{"percent is literal", storage.AccountSearch{EmailPrefix: "a%"}, []string{pct.ID}},
		{"underscore is literal", storage.AccountSearch{EmailPrefix: "a_"}, []string{under.ID}},
		{"username exact, other case", storage.AccountSearch{Username: "alice_w"}, []string{alice.ID}},
		{"username prefix underscore literal", storage.AccountSearch{UsernamePrefix: "ALICE_"}, []string{alice.ID}},
		{"username prefix percent literal", storage.AccountSearch{UsernamePrefix: "a%"}, []string{pct.ID}},
		{"phone exact", storage.AccountSearch{Phone: "+4930222"}, []string{under.ID}},
		{"phone prefix", storage.AccountSearch{PhonePrefix: "+4930"}, []string{alice.ID, under.ID}},
		{"two conditions", storage.AccountSearch{EmailPrefix: "a", PhonePrefix: "+41"}, []string{abc.ID}},
		{"no match", storage.AccountSearch{EmailPrefix: "zz"}, nil},
	} {
		c.q.StoreID = st.ID
		if got := searchIDs(t, s, c.q); !sameSet(got, c.want...) {
			t.Errorf("%s: found %v, want %v", c.name, got, c.want)
		}
	}
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: storage.AdministratorsStoreID}); len(got) != 0 {
		t.Errorf("search of the administrators store found %v, want nothing", got)
	}
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: storage.AdministratorsStoreID, EmailPrefix: "alice"}); len(got) != 0 {
		t.Errorf("search of the administrators store by e-mail found %v, want nothing", got)
	}
}

// testAccountSearchAttributes: attribute values are found exactly and by
// prefix, trimmed and case-insensitively, and follow profile updates and
// moves between stores.
func testAccountSearchAttributes(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	other := newIdentityStore(t, s)
	berlin := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("b") + "@example.com",
		Attributes: map[string]string{"city": "  Berlin ", "customer_no": "C-100%"}})
	bern := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("b") + "@example.com",
		Attributes: map[string]string{"city": "Bern", "customer_no": "C-1005"}})
	long := strings.Repeat("x", storage.SearchValueMax+20)
	longAcct := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("l") + "@example.com",
		Attributes: map[string]string{"note": long}})
	searchAccount(t, s, &storage.Account{StoreID: other.ID, Email: unique("o") + "@example.com",
		Attributes: map[string]string{"city": "Berlin"}})

	attr := func(name, value string, prefix bool) []storage.AttributeMatch {
		return []storage.AttributeMatch{{Name: name, Value: value, Prefix: prefix}}
	}
	for _, c := range []struct {
		name string
		m    []storage.AttributeMatch
		want []string
	}{
		{"exact, other case and spaces", attr("city", " BERLIN", false), []string{berlin.ID}},
		{"exact is not a prefix", attr("city", "Ber", false), nil},
		{"prefix", attr("city", "ber", true), []string{berlin.ID, bern.ID}},
		{"prefix percent literal", attr("customer_no", "c-100%", true), []string{berlin.ID}},
		{"prefix underscore literal", attr("customer_no", "c_", true), nil},
		{"other attribute's value", attr("customer_no", "berlin", false), nil},
		{"long value by its first characters", attr("note", long, false), []string{longAcct.ID}},
		{"two attributes", append(attr("city", "ber", true), attr("customer_no", "c-1005", false)...), []string{bern.ID}},
	} {
		if got := searchIDs(t, s, storage.AccountSearch{StoreID: st.ID, Attributes: c.m}); !sameSet(got, c.want...) {
			t.Errorf("%s: found %v, want %v", c.name, got, c.want)
		}
	}

	bern.Attributes = map[string]string{"city": "Zürich"}
	must(t, "UpdateAccountProfile", s.UpdateAccountProfile(ctx, bern))
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: st.ID, Attributes: attr("city", "bern", false)}); len(got) != 0 {
		t.Errorf("after the update the old value found %v", got)
	}
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: st.ID, Attributes: attr("city", "ZÜR", true)}); !sameSet(got, bern.ID) {
		t.Errorf("after the update the new value found %v, want %s", got, bern.ID)
	}
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: st.ID, Attributes: attr("customer_no", "c-1005", false)}); len(got) != 0 {
		t.Errorf("a removed attribute is still found: %v", got)
	}

	must(t, "MoveAccountToStore", s.MoveAccountToStore(ctx, berlin.ID, other.ID))
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: st.ID, Attributes: attr("city", "berlin", false)}); len(got) != 0 {
		t.Errorf("a moved account is still found in its old store: %v", got)
	}
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: other.ID, Attributes: attr("city", "berlin", false)}); len(got) != 2 {
		t.Errorf("the new store finds %v, want both Berlin accounts", got)
	}
	must(t, "DeleteAccountData", s.DeleteAccountData(ctx, longAcct.ID))
	if got := searchIDs(t, s, storage.AccountSearch{StoreID: st.ID, Attributes: attr("note", "x", true)}); len(got) != 0 {
		t.Errorf("a deleted account is still found: %v", got)
	}
}

// testAccountSearchFilters: status, group, e-mail verification, external
// identity providers, time ranges, and the External flag of each row.
func testAccountSearchFilters(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	base := at(-time.Hour)
	login := base.Add(30 * time.Minute)
	a := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("a") + "@example.com", EmailConfirmed: true, CreatedAt: base})
	b := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("b") + "@example.com", Status: storage.AccountDisabled,
		CreatedAt: base.Add(10 * time.Minute), LastLoginAt: &login})
	c := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("c") + "@example.com", Status: storage.AccountPending,
		CreatedAt: base.Add(20 * time.Minute)})
	noMail := searchAccount(t, s, &storage.Account{StoreID: st.ID, Username: unique("nomail"), CreatedAt: base.Add(30 * time.Minute)})

	g := &storage.Group{StoreID: st.ID, Name: unique("vip")}
	must(t, "CreateGroup", s.CreateGroup(ctx, g))
	must(t, "AddGroupMember", s.AddGroupMember(ctx, g.ID, b.ID))
	must(t, "AddGroupMember", s.AddGroupMember(ctx, g.ID, c.ID))
	must(t, "Link", s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: a.ID, Provider: "google", Subject: unique("s")}))
	must(t, "Link", s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: b.ID, Provider: "azure", Subject: unique("s")}))

	yes, no := true, false
	for _, tc := range []struct {
		name string
		q    storage.AccountSearch
		want []string
	}{
		{"enabled", storage.AccountSearch{Status: storage.AccountEnabled}, []string{a.ID, noMail.ID}},
		{"disabled", storage.AccountSearch{Status: storage.AccountDisabled}, []string{b.ID}},
		{"pending", storage.AccountSearch{Status: storage.AccountPending}, []string{c.ID}},
		{"group", storage.AccountSearch{GroupID: g.ID}, []string{b.ID, c.ID}},
		{"group and status", storage.AccountSearch{GroupID: g.ID, Status: storage.AccountDisabled}, []string{b.ID}},
		{"unknown group", storage.AccountSearch{GroupID: "nope"}, nil},
		{"email verified", storage.AccountSearch{EmailVerified: &yes}, []string{a.ID}},
		{"email not verified", storage.AccountSearch{EmailVerified: &no}, []string{b.ID, c.ID}},
		{"provider", storage.AccountSearch{Provider: "azure"}, []string{b.ID}},
		{"any provider", storage.AccountSearch{Provider: storage.AnyProvider}, []string{a.ID, b.ID}},
		{"created after (inclusive)", storage.AccountSearch{CreatedAfter: base.Add(10 * time.Minute)}, []string{b.ID, c.ID, noMail.ID}},
		{"created before (exclusive)", storage.AccountSearch{CreatedBefore: base.Add(20 * time.Minute)}, []string{a.ID, b.ID}},
		{"created range", storage.AccountSearch{CreatedAfter: base.Add(5 * time.Minute), CreatedBefore: base.Add(25 * time.Minute)}, []string{b.ID, c.ID}},
		{"last login after", storage.AccountSearch{LastLoginAfter: login.Add(-time.Minute)}, []string{b.ID}},
		{"last login before", storage.AccountSearch{LastLoginBefore: login}, nil},
	} {
		tc.q.StoreID = st.ID
		if got := searchIDs(t, s, tc.q); !sameSet(got, tc.want...) {
			t.Errorf("%s: found %v, want %v", tc.name, got, tc.want)
		}
	}
	rows, err := s.SearchAccounts(ctx, storage.AccountSearch{StoreID: st.ID, Limit: 10})
	must(t, "SearchAccounts", err)
	for _, r := range rows {
		if want := r.Account.ID == a.ID || r.Account.ID == b.ID; r.External != want {
			t.Errorf("account %s: External = %v, want %v", r.Account.ID, r.External, want)
		}
	}
}

// testAccountSearchOrders pages through every order two rows at a time
// and compares with the order computed here; rows inserted between pages
// neither repeat nor hide the rows that were there.
func testAccountSearchOrders(t *testing.T, s storage.Store) {
	st := newIdentityStore(t, s)
	base := at(-2 * time.Hour)
	var all []*storage.Account
	for i := range 7 {
		a := &storage.Account{StoreID: st.ID, Email: []string{"m", "c", "x", "a", "q", "f", "k"}[i] + unique("") + "@example.com",
			CreatedAt:  base.Add(time.Duration(i%4) * time.Minute), // equal times: the id breaks ties
			Attributes: map[string]string{"tier": "Gold"}}
		if i%3 != 0 {
			l := base.Add(time.Duration(i%2) * time.Hour)
			a.LastLoginAt = &l
		}
		all = append(all, searchAccount(t, s, a))
	}
	silver := searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("s") + "@example.com",
		CreatedAt: base.Add(time.Minute), Attributes: map[string]string{"tier": "silver"}})
	gold := []storage.AttributeMatch{{Name: "tier", Value: "gold"}}
	for _, sort := range storage.AccountSorts {
		want := expectedOrder(all, sort)
		got := pageThrough(t, s, st.ID, sort, nil, func(page int) {
			if page == 1 { // between the first and second page
				for range 2 {
					newAccount(t, s, st.ID)
				}
			}
		})
		got = slices.DeleteFunc(got, func(id string) bool { return !slices.Contains(want, id) })
		if !slices.Equal(got, want) {
			t.Errorf("sort %s: pages gave %v, want %v", sort, got, want)
		}
		// Filtered by an exact attribute value (in creation order read
		// off the search rows' own index), with accounts of that value
		// added between pages: the same order, nothing else.
		got = pageThrough(t, s, st.ID, sort, gold, func(page int) {
			if page == 1 {
				searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("g") + "@example.com",
					CreatedAt: base.Add(-time.Hour), Attributes: map[string]string{"tier": "gold"}})
			}
		})
		if slices.Contains(got, silver.ID) {
			t.Errorf("sort %s by tier=gold found the silver account", sort)
		}
		got = slices.DeleteFunc(got, func(id string) bool { return !slices.Contains(want, id) })
		if !slices.Equal(got, want) {
			t.Errorf("sort %s by tier=gold: pages gave %v, want %v", sort, got, want)
		}
	}
}

// pageThrough reads every page of the order, two rows at a time, calling
// between after each page, and fails on an id seen twice.
func pageThrough(t *testing.T, s storage.Store, storeID string, sort storage.AccountSort, attrs []storage.AttributeMatch, between func(page int)) []string {
	t.Helper()
	var ids []string
	var after *storage.AccountSearchKey
	for page := 1; page < 50; page++ {
		rows, err := s.SearchAccounts(t.Context(), storage.AccountSearch{StoreID: storeID, Sort: sort, After: after, Limit: 2, Attributes: attrs})
		must(t, "SearchAccounts", err)
		for _, r := range rows {
			if slices.Contains(ids, r.Account.ID) {
				t.Fatalf("sort %s: %s returned twice", sort, r.Account.ID)
			}
			ids = append(ids, r.Account.ID)
		}
		if len(rows) < 2 {
			return ids
		}
		k := storage.KeyOf(&rows[len(rows)-1].Account)
		after = &k
		between(page)
	}
	t.Fatalf("sort %s: no end after 50 pages", sort)
	return nil
}

// expectedOrder sorts the accounts as the order says.
func expectedOrder(all []*storage.Account, sort storage.AccountSort) []string {
	acc := slices.Clone(all)
	cmpLogin := func(a, b *storage.Account) int {
		switch {
		case a.LastLoginAt == nil && b.LastLoginAt == nil:
			return 0
		case a.LastLoginAt == nil:
			return -1
		case b.LastLoginAt == nil:
			return 1
		}
		return a.LastLoginAt.Compare(*b.LastLoginAt)
	}
	by := map[storage.AccountSort]func(a, b *storage.Account) int{
		storage.AccountSortCreated: func(a, b *storage.Account) int { return a.CreatedAt.Compare(b.CreatedAt) },
		storage.AccountSortEmail: func(a, b *storage.Account) int {
			return cmp.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email))
		},
		storage.AccountSortLastLogin: cmpLogin,
	}
	asc, desc := sort, storage.AccountSort(strings.TrimPrefix(string(sort), "-"))
	f := by[desc]
	sign := 1
	if asc != desc {
		sign = -1
	}
	slices.SortFunc(acc, func(a, b *storage.Account) int {
		if c := f(a, b); c != 0 {
			return sign * c
		}
		return sign * cmp.Compare(a.ID, b.ID)
	})
	ids := make([]string, len(acc))
	for i, a := range acc {
		ids[i] = a.ID
	}
	return ids
}

// testPinnedSearchFields: an administrator's pins are kept and replaced.
func testPinnedSearchFields(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	a := newAccount(t, s, st.ID)
	got, err := s.PinnedSearchFields(ctx, a.ID)
	if err != nil || len(got) != 0 {
		t.Fatalf("PinnedSearchFields before any = %v, %v; want none", got, err)
	}
	must(t, "SetPinnedSearchFields", s.SetPinnedSearchFields(ctx, a.ID, []string{"email", "attr.city"}))
	must(t, "SetPinnedSearchFields again", s.SetPinnedSearchFields(ctx, a.ID, []string{"status", "email"}))
	got, err = s.PinnedSearchFields(ctx, a.ID)
	if err != nil || !slices.Equal(got, []string{"status", "email"}) {
		t.Errorf("PinnedSearchFields = %v, %v; want [status email]", got, err)
	}
	wantErr(t, "SetPinnedSearchFields of an unknown account",
		s.SetPinnedSearchFields(ctx, "missing", []string{"email"}), storage.ErrNotFound)
}

// testAccountSearchUnstorableText: a condition with a NUL byte or invalid
// UTF-8 (text no stored value holds) finds nothing, the same on every
// database, and is no error: it is input to a list, not a missing store.
func testAccountSearchUnstorableText(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	searchAccount(t, s, &storage.Account{StoreID: st.ID, Email: unique("z") + "@example.com", Username: unique("z"),
		Attributes: map[string]string{"city": "Berlin"}})
	for name, q := range map[string]storage.AccountSearch{
		"e-mail with NUL":             {Email: "a\x00@example.com"},
		"e-mail prefix with NUL":      {EmailPrefix: "\x00"},
		"username with NUL":           {Username: "a\x00"},
		"phone with invalid UTF-8":    {Phone: "+49\xff"},
		"phone prefix with NUL":       {PhonePrefix: "+\x00"},
		"attribute value with NUL":    {Attributes: []storage.AttributeMatch{{Name: "city", Value: "Ber\x00lin"}}},
		"attribute prefix with NUL":   {Attributes: []storage.AttributeMatch{{Name: "city", Value: "B\x00", Prefix: true}}},
		"attribute name with NUL":     {Attributes: []storage.AttributeMatch{{Name: "ci\x00ty", Value: "Berlin"}}},
		"group with NUL":              {GroupID: "g\x00"},
		"provider with invalid UTF-8": {Provider: "\xff"},
	} {
		q.StoreID, q.Limit = st.ID, 10
		rows, err := s.SearchAccounts(ctx, q)
		if err != nil || len(rows) != 0 {
			t.Errorf("SearchAccounts, %s = %d rows, %v; want none and no error", name, len(rows), err)
		}
		ids, err := s.SearchAccountIDs(ctx, q, "", 10)
		if err != nil || len(ids) != 0 {
			t.Errorf("SearchAccountIDs, %s = %v, %v; want none and no error", name, ids, err)
		}
		n, err := s.CountSearchedAccounts(ctx, q)
		if err != nil || n != 0 {
			t.Errorf("CountSearchedAccounts, %s = %d, %v; want 0 and no error", name, n, err)
		}
	}
	// A tampered cursor (decoded from a URL) is no error either.
	q := storage.AccountSearch{StoreID: st.ID, Sort: storage.AccountSortEmail, Limit: 10,
		After: &storage.AccountSearchKey{ID: "\x00", Email: "\xff"}}
	if _, err := s.SearchAccounts(ctx, q); err != nil {
		t.Errorf("SearchAccounts after a cursor with NUL = %v, want no error", err)
	}
}
