package devseed

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/migrations"
	"foyer/storage/sqlstore"
)

// Errors Seed refuses with before it writes anything.
var (
	ErrAdministrators = errors.New("devseed: the administrators store is never seeded")
	ErrNotEmpty       = errors.New("devseed: the identity store has accounts already (force to add to them)")
	ErrBadOptions     = errors.New("devseed: bad options")
)

// MaxAccounts bounds one run (the numbers in addresses and phone numbers
// stay distinct up to 10^8).
const MaxAccounts = 50_000_000

// Options say what to seed.
type Options struct {
	StoreID  string
	Accounts int
	// From is the first account's index: a seed of N accounts can be
	// written in parts (From 0, then From N/2 with Force), each the same
	// accounts a single run would have made.
	From   int
	Groups int    // groups created when absent (by name) and filled
	Seed   uint64 // the same seed makes the same accounts
	// Force adds to a store that has accounts already. Seeds 1 to 100
	// number their accounts apart, so another seed adds accounts; the
	// same seed again collides on the first batch, which fails and stops
	// the run.
	Force bool
	// Password is every seeded account's password; generated when empty.
	Password string
	// BatchSize is the accounts per transaction (default 5000); Workers
	// the transactions in flight (default 2 on PostgreSQL, 1 on SQLite).
	BatchSize, Workers int
	// Progress gets a line now and then; nil for none.
	Progress io.Writer
	// Now anchors the times (default time.Now).
	Now time.Time
}

// Result is what a run made.
type Result struct {
	tally
	StoreID       string
	Groups        int
	Organizations int
	Roles         int
	Password      string
	Elapsed       time.Duration
	// SearchIndex and OrganizationTables say whether the schema had the
	// search index (migration 0023) and the organization tables (0021):
	// without them those rows were not written.
	SearchIndex, OrganizationTables bool
	// Samples are the first generated accounts (at most 20), as written.
	Samples []Account
	// GroupIDs, OrganizationIDs and RoleIDs are the ids by the indexes the
	// accounts use.
	GroupIDs, OrganizationIDs, RoleIDs []string
	// Generator makes any seeded account again (the bench draws its
	// search terms from it).
	Generator *Generator
}

// Seed writes opts.Accounts generated accounts into the store, in
// transactions of BatchSize accounts with every row that belongs to them.
// It refuses the administrators store and, without Force, a store that
// has accounts. On an error the batches committed before it stay.
func Seed(ctx context.Context, s *sqlstore.Store, o Options) (*Result, error) {
	began := time.Now()
	is, err := check(ctx, s, &o)
	if err != nil {
		return nil, err
	}
	res := &Result{StoreID: o.StoreID, Password: o.Password}
	hash, err := password.NewHasher(password.OWASP).Hash(ctx, o.Password)
	if err != nil {
		return nil, err
	}
	ref := &refs{storeID: o.StoreID, passwordHash: hash, now: o.Now,
		search:    s.HasTable(ctx, "account_search_attributes"),
		orgTables: s.HasTable(ctx, "organization_members") && s.HasTable(ctx, "account_roles")}
	if ref.groups, err = ensureGroups(ctx, s, o.StoreID, o.Groups); err != nil {
		return nil, err
	}
	if ref.orgTables {
		if ref.orgs, ref.roles, err = ensureOrganizations(ctx, s, o.StoreID); err != nil {
			return nil, err
		}
	}
	res.SearchIndex, res.OrganizationTables = ref.search, ref.orgTables
	res.GroupIDs, res.OrganizationIDs, res.RoleIDs = ref.groups, ref.orgs, ref.roles
	res.Groups, res.Organizations, res.Roles = len(ref.groups), len(ref.orgs), len(ref.roles)
	gen := NewGenerator(o.Seed, o.Now, is, len(ref.groups), len(ref.orgs), len(ref.roles))
	res.Generator = gen
	for i := o.From; i < o.From+min(o.Accounts, 20); i++ {
		res.Samples = append(res.Samples, gen.Account(o.StoreID, i))
	}
	err = run(ctx, s, gen, ref, o, &res.tally, began)
	res.Elapsed = time.Since(began)
	if err != nil {
		return res, err
	}
	// Fresh statistics, or the planner guesses for millions of new rows.
	if err := s.Analyze(ctx, "accounts", "account_search_attributes", "group_members", "password_credentials",
		"mfa_authenticators", "sessions", "external_identities", "organization_members", "account_roles"); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(began)
	return res, nil
}

// Describe returns what Seed returns for a store seeded before with the
// same options (seed, groups), without writing accounts: the groups,
// organizations and roles (created when absent) and the generator. The
// bench measures a database seeded by earlier runs this way.
func Describe(ctx context.Context, s *sqlstore.Store, o Options) (*Result, error) {
	o.Force = true
	is, err := check(ctx, s, &o)
	if err != nil {
		return nil, err
	}
	res := &Result{StoreID: o.StoreID, Password: o.Password}
	res.SearchIndex = s.HasTable(ctx, "account_search_attributes")
	res.OrganizationTables = s.HasTable(ctx, "organization_members") && s.HasTable(ctx, "account_roles")
	if res.GroupIDs, err = ensureGroups(ctx, s, o.StoreID, o.Groups); err != nil {
		return nil, err
	}
	if res.OrganizationTables {
		if res.OrganizationIDs, res.RoleIDs, err = ensureOrganizations(ctx, s, o.StoreID); err != nil {
			return nil, err
		}
	}
	res.Groups, res.Organizations, res.Roles = len(res.GroupIDs), len(res.OrganizationIDs), len(res.RoleIDs)
	res.Generator = NewGenerator(o.Seed, o.Now, is, res.Groups, res.Organizations, res.Roles)
	res.Accounts = o.From + o.Accounts
	return res, nil
}

// check validates the options, fills in defaults and returns the store.
func check(ctx context.Context, s *sqlstore.Store, o *Options) (*storage.IdentityStore, error) {
	switch {
	case o.StoreID == storage.AdministratorsStoreID:
		return nil, ErrAdministrators
	case o.StoreID == "":
		return nil, fmt.Errorf("%w: no identity store", ErrBadOptions)
	case o.Accounts < 1 || o.From < 0 || o.From+o.Accounts > MaxAccounts:
		return nil, fmt.Errorf("%w: accounts must be between 1 and %d (from included)", ErrBadOptions, MaxAccounts)
	case o.Groups < 0 || o.Groups > 1000:
		return nil, fmt.Errorf("%w: groups must be between 0 and 1000", ErrBadOptions)
	case o.Password != "" && len(o.Password) < 8:
		return nil, fmt.Errorf("%w: the password needs at least 8 characters", ErrBadOptions)
	}
	is, err := s.GetIdentityStore(ctx, o.StoreID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: identity store %q does not exist", ErrBadOptions, o.StoreID)
	}
	if err != nil {
		return nil, err
	}
	n, err := s.CountAccounts(ctx, o.StoreID)
	if err != nil {
		return nil, err
	}
	if n > 0 && !o.Force {
		return nil, fmt.Errorf("%w: %q holds %d", ErrNotEmpty, o.StoreID, n)
	}
	if o.Password == "" {
		o.Password = "seed-" + rand.Text()[:16]
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if o.Workers <= 0 {
		o.Workers = 1
		if s.Dialect() == migrations.Postgres {
			o.Workers = 2
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return is, nil
}

// run generates batches in one goroutine and writes them in o.Workers.
func run(ctx context.Context, s *sqlstore.Store, gen *Generator, ref *refs, o Options, total *tally, began time.Time) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, o.Workers)
	go func() {
		defer close(batches)
		end := o.From + o.Accounts
		for start := o.From; start < end; start += o.BatchSize {
			b := newBatch()
			for i := start; i < min(start+o.BatchSize, end); i++ {
				a := gen.Account(o.StoreID, i)
				b.add(&a, ref)
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	var first error
	lastReport := time.Now()
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Go(func() {
			for b := range batches {
				err := s.BulkInsert(ctx, b.sets()...)
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				if err == nil {
					total.add(b.count)
					if o.Progress != nil && time.Since(lastReport) > 5*time.Second {
						lastReport = time.Now()
						fmt.Fprintf(o.Progress, "seeded %d of %d accounts (%.0f s)\n", total.Accounts, o.Accounts,
							time.Since(began).Seconds())
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		return fmt.Errorf("devseed: after %d accounts: %w", total.Accounts, first)
	}
	return ctx.Err()
}
