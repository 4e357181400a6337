package devseed_test

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite"  // registers "sqlite" for the raw checks
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for the raw checks

	"foyer/cmd/internal/devseed"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// schema is a store's attribute schema of the usual kinds.
var schema = []storage.AttributeDef{
	{Name: "given_name", Required: true},
	{Name: "family_name", Required: true},
	{Name: "birthdate", Type: storage.AttrDate},
	{Name: "city"},
	{Name: "tier", Type: storage.AttrEnum, Options: []string{"free", "plus", "pro"}},
	{Name: "newsletter", Type: storage.AttrBoolean},
	{Name: "customer_number", Pattern: `C[0-9]{8}`},
	{Name: "code", Pattern: `[A-Z]{3}`}, // a pattern the generator cannot guess: left out
}

// seeded is a store with a seeded identity store and a raw handle on the
// same database for counting.
type seeded struct {
	s       *sqlstore.Store
	raw     *sql.DB
	dialect string
}

func open(t *testing.T, dialect string) seeded {
	t.Helper()
	ctx := context.Background()
	url := sqltest.SQLiteURL(t)
	driver, dsn := "sqlite", strings.TrimPrefix(url, "sqlite:")
	if dialect == "postgres" {
		url = sqltest.PostgresURL(t)
		driver, dsn = "pgx", url
	}
	s, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "shop", Name: "Shop",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername},
		Attributes:      schema}); err != nil {
		t.Fatal(err)
	}
	return seeded{s: s, raw: raw, dialect: dialect}
}

func (d seeded) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if d.dialect == "sqlite" {
		query = regexp.MustCompile(`\$[0-9]+`).ReplaceAllString(query, "?")
	}
	if err := d.raw.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeed(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) { testSeed(t, dialect) })
	}
}

func testSeed(t *testing.T, dialect string) {
	ctx := context.Background()
	d := open(t, dialect)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const n = 400
	res, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: n, Groups: 6, Seed: 7,
		BatchSize: 150, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accounts != n || res.Groups != 6 || res.Password == "" {
		t.Fatalf("result %+v", res)
	}
	got, err := d.s.CountAccounts(ctx, "shop")
	if err != nil || got != n {
		t.Fatalf("CountAccounts = %d, %v; want %d", got, err, n)
	}
	// The tally is what the tables hold.
	for query, want := range map[string]int{
		"SELECT COUNT(*) FROM accounts WHERE status = 'disabled'":                    res.Disabled,
		"SELECT COUNT(*) FROM accounts WHERE status = 'pending'":                     res.Pending,
		"SELECT COUNT(*) FROM accounts WHERE email_confirmed":                        res.EmailConfirmed,
		"SELECT COUNT(*) FROM accounts WHERE phone <> ''":                            res.WithPhone,
		"SELECT COUNT(*) FROM accounts WHERE username <> ''":                         res.WithUsername,
		"SELECT COUNT(*) FROM password_credentials":                                  res.Passwords,
		"SELECT COUNT(*) FROM group_members":                                         res.GroupMemberships,
		"SELECT COUNT(*) FROM mfa_authenticators":                                    res.Authenticators,
		"SELECT COUNT(*) FROM sessions":                                              res.Sessions,
		"SELECT COUNT(*) FROM external_identities":                                   res.ExternalIdentities,
		"SELECT COUNT(DISTINCT email_normalized) FROM accounts":                      n,
		"SELECT COUNT(*) FROM accounts WHERE last_login_at < created_at":             0,
		"SELECT COUNT(*) FROM accounts WHERE status = 'pending' AND email_confirmed": 0,
	} {
		if got := d.count(t, query); got != want {
			t.Errorf("%s = %d, want %d", query, got, want)
		}
	}
	// Some of each kind, as a store of real customers has.
	for name, v := range map[string]int{"disabled": res.Disabled, "passwords": res.Passwords, "groups": res.GroupMemberships,
		"authenticators": res.Authenticators, "sessions": res.Sessions, "external": res.ExternalIdentities,
		"phones": res.WithPhone, "usernames": res.WithUsername} {
		if v == 0 {
			t.Errorf("no %s seeded among %d accounts", name, n)
		}
	}
	checkSamples(t, d.s, res)
	checkSearchRows(t, d, res)
	checkSearch(t, d.s, res)
	checkExplain(t, d, res)
}

// checkExplain: the plans of a search's reads, on PostgreSQL only.
func checkExplain(t *testing.T, d seeded, res *devseed.Result) {
	t.Helper()
	plans, err := d.s.Explain(context.Background(), func(ctx context.Context) error {
		_, err := d.s.SearchAccounts(ctx, storage.AccountSearch{StoreID: "shop", GroupID: res.GroupIDs[0], Limit: 50})
		return err
	})
	if d.dialect == "sqlite" {
		if !errors.Is(err, sqlstore.ErrExplainPostgresOnly) {
			t.Fatalf("explain on SQLite: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	// The page's query, then the read of its rows' external identities.
	if len(plans) != 2 || !strings.Contains(plans[0].SQL, "group_members") || !strings.Contains(plans[0].Plan, "Execution Time") {
		t.Fatalf("plans %+v", plans)
	}
}

// checkSearch: the account search finds seeded accounts by attribute,
// e-mail prefix and group.
func checkSearch(t *testing.T, s *sqlstore.Store, res *devseed.Result) {
	t.Helper()
	ctx := context.Background()
	for _, a := range res.Samples[:5] {
		queries := map[string]storage.AccountSearch{
			"family_name":  {Attributes: []storage.AttributeMatch{{Name: "family_name", Value: " " + strings.ToUpper(a.Attributes["family_name"])}}},
			"email_prefix": {EmailPrefix: a.Email[:len(a.Email)-4]},
		}
		if len(a.Groups) > 0 {
			queries["group"] = storage.AccountSearch{GroupID: res.GroupIDs[a.Groups[0]]}
		}
		for name, q := range queries {
			q.StoreID, q.Limit = "shop", 500
			rows, err := s.SearchAccounts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range rows {
				found = found || r.Account.ID == a.ID
			}
			if !found {
				t.Errorf("search by %s does not find %s (%d rows)", name, a.Email, len(rows))
			}
		}
	}
}

// checkSamples reads the sample accounts back: as generated, with valid
// attributes, and signing in with the printed password.
func checkSamples(t *testing.T, s *sqlstore.Store, res *devseed.Result) {
	t.Helper()
	ctx := context.Background()
	hasher := password.NewHasher(password.OWASP)
	verified := 0
	for _, want := range res.Samples {
		a, err := s.FindAccountByIdentifier(ctx, "shop", storage.IdentifierEmail, strings.ToUpper(want.Email))
		if err != nil {
			t.Fatalf("find %s: %v", want.Email, err)
		}
		if a.ID != want.ID || a.Status != want.Status || a.Phone != want.Phone || !a.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("stored %+v, generated %+v", a, want.Account)
		}
		if errs := storage.CheckAttributes(schema, a.Attributes); len(errs) > 0 {
			t.Errorf("%s: attributes %v: %v", a.Email, a.Attributes, errs)
		}
		if _, ok := a.Attributes["code"]; ok {
			t.Errorf("%s: a value for a pattern the generator cannot know: %v", a.Email, a.Attributes)
		}
		if !want.HasPassword || verified >= 2 { // argon2id is slow: two are proof enough
			continue
		}
		cred, err := s.GetPassword(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hasher.Verify(ctx, res.Password, cred.Hash); err != nil {
			t.Errorf("%s: the printed password does not verify: %v", a.Email, err)
		}
		verified++
	}
	if verified == 0 {
		t.Error("no sample account has a password")
	}
}

// checkSearchRows: every attribute value has its index row, normalized,
// once the search index exists.
func checkSearchRows(t *testing.T, d seeded, res *devseed.Result) {
	t.Helper()
	if !d.s.HasTable(context.Background(), "account_search_attributes") {
		if res.SearchIndex || res.SearchRows != 0 {
			t.Errorf("search rows written without the table: %+v", res)
		}
		return
	}
	if got := d.count(t, "SELECT COUNT(*) FROM account_search_attributes"); got != res.SearchRows || got == 0 {
		t.Errorf("account_search_attributes holds %d rows, the seed wrote %d", got, res.SearchRows)
	}
	a := res.Samples[0]
	for name, v := range a.Attributes {
		if got := d.count(t, "SELECT COUNT(*) FROM account_search_attributes WHERE store_id = 'shop' AND name = $1 AND value = $2 AND account_id = $3",
			name, storage.SearchValue(v), a.ID); got != 1 {
			t.Errorf("search row of %s=%q: %d", name, v, got)
		}
	}
	// Each row carries its account's creation time, as sqlstore writes it.
	if got := d.count(t, "SELECT COUNT(*) FROM account_search_attributes sa JOIN accounts a ON a.id = sa.account_id WHERE sa.created_at <> a.created_at"); got != 0 {
		t.Errorf("%d search rows without their account's creation time", got)
	}
}

func TestSeedRefuses(t *testing.T) {
	ctx := context.Background()
	d := open(t, "sqlite")
	for name, o := range map[string]devseed.Options{
		"administrators": {StoreID: storage.AdministratorsStoreID, Accounts: 1},
		"no accounts":    {StoreID: "shop"},
		"unknown store":  {StoreID: "nope", Accounts: 1},
		"short password": {StoreID: "shop", Accounts: 1, Password: "short"},
	} {
		if _, err := devseed.Seed(ctx, d.s, o); err == nil {
			t.Errorf("%s: seeded", name)
		}
	}
	if n, _ := d.s.CountAccounts(ctx, "shop"); n != 0 {
		t.Fatalf("a refused run wrote %d accounts", n)
	}
	if _, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 20, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 20, Seed: 2})
	if !errors.Is(err, devseed.ErrNotEmpty) {
		t.Fatalf("second run without force: %v, want ErrNotEmpty", err)
	}
	// Forced with the same seed: the same ids collide and nothing is added.
	if _, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 20, Seed: 1, Force: true}); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("same seed forced: %v, want a conflict", err)
	}
	// Other seeds number their accounts apart: nothing collides.
	for _, seed := range []uint64{2, 3, 100} {
		if _, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 300, Seed: seed, Force: true}); err != nil {
			t.Fatalf("seed %d forced: %v", seed, err)
		}
	}
	if n, _ := d.s.CountAccounts(ctx, "shop"); n != 920 {
		t.Fatalf("%d accounts after runs of 20 and 3 x 300", n)
	}
}

// TestGeneratorDeterministic: the same seed makes the same account
// whatever asks for it; another seed makes others.
func TestGeneratorDeterministic(t *testing.T) {
	is := &storage.IdentityStore{ID: "shop", Attributes: schema,
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername}}
	now := time.Now()
	g1, g2, g3 := devseed.NewGenerator(1, now, is, 5, 0, 0), devseed.NewGenerator(1, now, is, 5, 0, 0),
		devseed.NewGenerator(2, now, is, 5, 0, 0)
	seen := map[string]bool{}
	for i := range 2000 {
		a, b, c := g1.Account("shop", i), g2.Account("shop", i), g3.Account("shop", i)
		if a.Email != b.Email || a.ID != b.ID || a.Username != b.Username {
			t.Fatalf("account %d differs between runs: %s, %s", i, a.Email, b.Email)
		}
		if a.ID == c.ID {
			t.Fatalf("account %d: seeds 1 and 2 made id %s", i, a.ID)
		}
		for _, v := range []string{"e:" + strings.ToLower(a.Email), "u:" + strings.ToLower(a.Username), "p:" + a.Phone} {
			if v != "u:" && v != "p:" && seen[v] {
				t.Fatalf("account %d repeats %s", i, v)
			}
			seen[v] = true
		}
		if !storage.ValidEmail(a.Email) || a.Username != "" && !storage.ValidUsername(a.Username) ||
			a.Phone != "" && !storage.ValidPhone(a.Phone) {
			t.Fatalf("account %d: invalid identifiers %q %q %q", i, a.Email, a.Username, a.Phone)
		}
	}
}

// TestSeedInParts: a seed written in two parts holds the accounts one run
// would have made, and Describe finds its groups again.
func TestSeedInParts(t *testing.T) {
	ctx := context.Background()
	d := open(t, "sqlite")
	first, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 30, Groups: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 30, From: 30, Groups: 3, Seed: 5, Force: true}); err != nil {
		t.Fatal(err)
	}
	desc, err := devseed.Describe(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 60, Groups: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Accounts != 60 || strings.Join(desc.GroupIDs, ",") != strings.Join(first.GroupIDs, ",") {
		t.Fatalf("Describe: %d accounts, groups %v; seeded groups %v", desc.Accounts, desc.GroupIDs, first.GroupIDs)
	}
	for _, i := range []int{0, 29, 30, 59} {
		want := desc.Generator.Account("shop", i)
		a, err := d.s.FindAccountByIdentifier(ctx, "shop", storage.IdentifierEmail, want.Email)
		if err != nil || a.ID != want.ID {
			t.Fatalf("account %d (%s): %v, %v", i, want.Email, a, err)
		}
	}
	if n, _ := d.s.CountAccounts(ctx, "shop"); n != 60 {
		t.Fatalf("%d accounts, want 60", n)
	}
}

// organizationTables is migration 0021's (acct-roles) SQLite schema, for
// the seed's organization rows before that branch lands here.
const organizationTables = `
CREATE TABLE IF NOT EXISTS organization_members (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    store_id        TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (organization_id, account_id));
CREATE TABLE IF NOT EXISTS account_roles (
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    store_id        TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_id         TEXT NOT NULL REFERENCES store_roles (id) ON DELETE CASCADE,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, organization_id, role_id));`

// TestSeedOrganizations: with the organization tables, the seed makes
// organizations and roles and gives some accounts roles, with or without
// membership; the account search finds them by role and organization.
func TestSeedOrganizations(t *testing.T) {
	ctx := context.Background()
	d := open(t, "sqlite")
	if _, err := d.raw.Exec(organizationTables); err != nil {
		t.Fatal(err)
	}
	res, err := devseed.Seed(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 400, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OrganizationTables || res.Organizations == 0 || res.Roles == 0 || res.OrganizationMembers == 0 || res.RoleAssignments == 0 {
		t.Fatalf("result %+v", res.Organizations)
	}
	for query, want := range map[string]int{
		"SELECT COUNT(*) FROM organization_members": res.OrganizationMembers,
		"SELECT COUNT(*) FROM account_roles":        res.RoleAssignments,
		"SELECT COUNT(*) FROM account_roles r WHERE NOT EXISTS (SELECT 1 FROM organization_members m WHERE m.account_id = r.account_id AND m.organization_id = r.organization_id)": -1,
	} {
		got := d.count(t, query)
		if want >= 0 && got != want || want < 0 && got == 0 {
			t.Errorf("%s = %d, want %d (-1: some)", query, got, want)
		}
	}
	rows, err := d.s.SearchAccounts(ctx, storage.AccountSearch{StoreID: "shop", RoleID: res.RoleIDs[0], Limit: 500})
	if err != nil || len(rows) == 0 {
		t.Fatalf("search by role: %d rows, %v", len(rows), err)
	}
	rows, err = d.s.SearchAccounts(ctx, storage.AccountSearch{StoreID: "shop", OrganizationID: res.OrganizationIDs[0], Limit: 500})
	if err != nil || len(rows) == 0 {
		t.Fatalf("search by organization: %d rows, %v", len(rows), err)
	}
	// A second run finds the organizations and roles by name.
	again, err := devseed.Describe(ctx, d.s, devseed.Options{StoreID: "shop", Accounts: 400, Seed: 3})
	if err != nil || strings.Join(again.RoleIDs, ",") != strings.Join(res.RoleIDs, ",") ||
		strings.Join(again.OrganizationIDs, ",") != strings.Join(res.OrganizationIDs, ",") {
		t.Fatalf("Describe: %v, %v", again, err)
	}
}
