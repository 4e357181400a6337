package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

const orgUsage = `usage: foyer org partner-code ORG [--store S] [--expires-in 720h] [--max-uses N] [--json]`

// orgCommand runs "org partner-code ORG" through manage.PartnerCodes, as
// the system: a new code for the partner organization (id or name),
// replacing its old one, printed once.
func orgCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	pos, rest := splitPositional(args, 1)
	fs := newFlags("org "+verb, stderr)
	storeID := fs.String("store", defaultStoreID, "identity store")
	expiresIn := fs.Duration("expires-in", 0, "how long the code works (e.g. 720h; default: until replaced)")
	maxUses := fs.Int("max-uses", 0, "how many registrations it admits (default: no limit)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if verb != "partner-code" || len(pos) != 1 || *expiresIn < 0 {
		fmt.Fprintln(stderr, orgUsage)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		orgID, err := findOrganization(ctx, s, *storeID, pos[0])
		if err != nil {
			return err
		}
		in := manage.PartnerCodeInput{MaxUses: *maxUses}
		if *expiresIn > 0 {
			at := time.Now().Add(*expiresIn)
			in.ExpiresAt = &at
		}
		issued, err := manage.NewPartnerCodes(manage.NewCore(s, nil), s).Generate(ctx, manage.System(), *storeID, orgID, in)
		if errors.Is(err, manage.ErrConflict) {
			return fmt.Errorf("organization %q is a customer organization; only partner organizations have partner codes", pos[0])
		}
		if err != nil {
			return cliInputError(stderr, "org partner-code", err)
		}
		return printPartnerCode(stdout, issued, *asJSON)
	})
}

// findOrganization reads ORG as an id of the store, else as a name
// (ignoring case).
func findOrganization(ctx context.Context, s *sqlstore.Store, storeID, ref string) (string, error) {
	if _, err := s.GetIdentityStore(ctx, storeID); errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("no identity store %q", storeID)
	} else if err != nil {
		return "", err
	}
	if o, err := s.GetOrganization(ctx, storeID, ref); err == nil {
		return o.ID, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	orgs, err := s.ListOrganizations(ctx, storeID, "", 0)
	if err != nil {
		return "", err
	}
	for _, o := range orgs {
		if strings.EqualFold(o.Name, strings.TrimSpace(ref)) {
			return o.ID, nil
		}
	}
	return "", fmt.Errorf("no organization %q in identity store %q", ref, storeID)
}

func printPartnerCode(stdout io.Writer, issued *manage.IssuedPartnerCode, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(issued)
	}
	fmt.Fprintf(stdout, "partner code: %s\n", issued.Code)
	if issued.ExpiresAt != nil {
		fmt.Fprintf(stdout, "expires:      %s\n", issued.ExpiresAt.Format(time.RFC3339))
	}
	if issued.MaxUses > 0 {
		fmt.Fprintf(stdout, "max uses:     %d\n", issued.MaxUses)
	}
	fmt.Fprintln(stdout, "(the code is shown once; only its digest is stored, and the old code no longer works)")
	return nil
}
