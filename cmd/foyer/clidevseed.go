package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"foyer/cmd/internal/devseed"
	"foyer/storage/sqlstore"
)

const devSeedUsage = `usage: foyer dev seed --accounts N [--store ID] [--groups G] [--seed X] [--from I] [--password P] [--force]
       foyer dev seed --tokens N --client ID [--expired-share F]`

// devSeed is `foyer dev seed`: fills an identity store with generated
// accounts for development and load tests (make bench). Never for a
// store of real customers: every account gets the same password.
func devSeed(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev seed", stderr)
	var o devseed.Options
	fs.StringVar(&o.StoreID, "store", defaultStoreID, "identity store id")
	fs.IntVar(&o.Accounts, "accounts", 0, "how many accounts to create (required)")
	fs.IntVar(&o.From, "from", 0, "index of the first account: writes a seed in parts (with --force)")
	fs.IntVar(&o.Groups, "groups", 20, "groups to create (when absent) and put accounts in")
	fs.Uint64Var(&o.Seed, "seed", 1, "the same seed makes the same accounts")
	fs.StringVar(&o.Password, "password", "", "every account's password (default: generated and printed)")
	fs.BoolVar(&o.Force, "force", false, "add to a store that has accounts already")
	fs.IntVar(&o.BatchSize, "batch", 5000, "accounts per transaction")
	var tokens devseed.TokenOptions
	fs.IntVar(&tokens.Count, "tokens", 0, "how many stored tokens to write instead (the bench's size mode)")
	fs.StringVar(&tokens.ClientID, "client", "", "the client the tokens belong to (with --tokens)")
	fs.Float64Var(&tokens.ExpiredShare, "expired-share", 0.2, "share of the tokens already expired, for the cleanup to delete (with --tokens)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if tokens.Count > 0 {
		tokens.Progress = stderr
		return seedTokens(ctx, cfg, tokens, stdout, stderr)
	}
	if o.Accounts <= 0 {
		fmt.Fprintln(stderr, devSeedUsage)
		return errUsage
	}
	o.Progress = stderr
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		res, err := devseed.Seed(ctx, s, o)
		switch {
		case errors.Is(err, devseed.ErrBadOptions), errors.Is(err, devseed.ErrAdministrators):
			fmt.Fprintf(stderr, "foyer dev seed: %v\n", err)
			return errUsage
		case errors.Is(err, devseed.ErrNotEmpty):
			return fmt.Errorf("%w; this is a development tool: never run it on a store of real customers", err)
		case err != nil:
			if res != nil && res.Accounts > 0 {
				fmt.Fprintf(stderr, "foyer dev seed: %d accounts were written before the error\n", res.Accounts)
			}
			return err
		}
		printSeedResult(stdout, res)
		return nil
	})
}

func printSeedResult(w io.Writer, res *devseed.Result) {
	rate := float64(res.Accounts) / max(res.Elapsed.Seconds(), 0.001)
	fmt.Fprintf(w, "seeded %d accounts into store %q in %.1f s (%.0f accounts/s)\n\n", res.Accounts, res.StoreID,
		res.Elapsed.Seconds(), rate)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(what string, n int) { fmt.Fprintf(tw, "  %s\t%d\n", what, n) }
	row("enabled", res.Enabled)
	row("disabled", res.Disabled)
	row("pending", res.Pending)
	row("e-mail confirmed", res.EmailConfirmed)
	row("with username", res.WithUsername)
	row("with phone", res.WithPhone)
	row("with password", res.Passwords)
	row("with MFA (e-mail or phone)", res.WithMFA)
	row("authenticators", res.Authenticators)
	row("SSO sessions", res.Sessions)
	row("external identities", res.ExternalIdentities)
	row("groups", res.Groups)
	row("group memberships", res.GroupMemberships)
	if res.OrganizationTables {
		row("organizations", res.Organizations)
		row("organization members", res.OrganizationMembers)
		row("role assignments", res.RoleAssignments)
	}
	if res.SearchIndex {
		row("search index rows", res.SearchRows)
	}
	_ = tw.Flush()
	if !res.SearchIndex {
		fmt.Fprintln(w, "\n(no account search index in this schema: no search rows written)")
	}
	var samples []string
	for _, a := range res.Samples {
		if a.Status == "enabled" && a.HasPassword && len(samples) < 3 {
			samples = append(samples, a.Email)
		}
	}
	fmt.Fprintf(w, "\npassword of every seeded account: %s\n", res.Password)
	fmt.Fprintln(w, "DEVELOPMENT ONLY: every seeded account shares this password.")
	if len(samples) > 0 {
		fmt.Fprintf(w, "sign in as, for example: %s\n", strings.Join(samples, ", "))
	}
}

// seedTokens is `foyer dev seed --tokens N --client ID`.
func seedTokens(ctx context.Context, cfg Config, o devseed.TokenOptions, stdout, stderr io.Writer) error {
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		res, err := devseed.SeedTokens(ctx, s, o)
		if errors.Is(err, devseed.ErrBadOptions) {
			fmt.Fprintf(stderr, "foyer dev seed: %v\n%s\n", err, devSeedUsage)
			return errUsage
		}
		if res != nil {
			fmt.Fprintf(stdout, "seeded %d tokens of client %q (%d expired) in %.1f s (%.0f tokens/s)\n", res.Tokens, o.ClientID,
				res.Expired, res.Elapsed.Seconds(), float64(res.Tokens)/max(res.Elapsed.Seconds(), 0.001))
		}
		return err
	})
}
