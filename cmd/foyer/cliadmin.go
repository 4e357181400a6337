package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// adminCreate makes an administrator with a password through the same
// service the console and the API use, as the system actor.
func adminCreate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("admin create", stderr)
	email := fs.String("email", "", "e-mail address (required)")
	role := fs.String("role", "", "owner, admin, support or auditor (required)")
	pw := fs.String("password", "", "password (default: generate one and print it once)")
	var stores listFlag
	fs.Var(&stores, "store", "limit the role to this identity store (repeatable; default: every store)")
	if err := parse(fs, args); err != nil {
		return err
	}
	generated := *pw == ""
	if generated {
		buf := make([]byte, 18)
		if _, err := rand.Read(buf); err != nil {
			return err
		}
		*pw = base64.RawURLEncoding.EncodeToString(buf)
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		svc := manage.NewAdministrators(manage.NewCore(s, nil), s, nil, cfg.Issuer)
		a, err := svc.Create(ctx, manage.System(), manage.NewAdministrator{Email: *email, Password: *pw,
			Grants: []manage.Grant{{Role: storage.AdminRole(*role), StoreIDs: stores}}})
		var ve *manage.ValidationError
		if errors.As(err, &ve) {
			fmt.Fprintf(stderr, "foyer admin create: %s\n", cliFields(ve))
			return errUsage
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created administrator %s (%s) with role %s\n", a.ID, a.Email, *role)
		if generated {
			// Printed once, to the terminal only, never to the log.
			fmt.Fprintf(stdout, "password: %s\nStore this password now; it is not shown again.\n", *pw)
		}
		return nil
	})
}

// cliFields names the flags behind a validation error's fields.
func cliFields(ve *manage.ValidationError) string {
	flags := strings.NewReplacer("grants[0].role", "--role", "grants[0].store_ids", "--store", "grants", "--role",
		"email", "--email", "password", "--password")
	return flags.Replace(strings.TrimPrefix(ve.Error(), "invalid input: "))
}

// adminList prints every administrator and its roles.
func adminList(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("admin list", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		list, err := manage.NewAdministrators(manage.NewCore(s, nil), s, nil, cfg.Issuer).List(ctx, manage.System())
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(list)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tSTATUS\tROLES")
		for _, a := range list {
			roles := make([]string, len(a.Grants))
			for i, g := range a.Grants {
				roles[i] = string(g.Role)
				if len(g.StoreIDs) > 0 {
					roles[i] += "(" + strings.Join(g.StoreIDs, ",") + ")"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, a.Email, a.Status, strings.Join(roles, " "))
		}
		return tw.Flush()
	})
}

// auditVerify checks the audit log's hash chain: exit 0 with the count,
// exit 1 naming the first entry that does not verify.
func auditVerify(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlags("audit verify", stderr), args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, secret []byte) error {
		checked, err := manage.NewAudit(s).WithChainKey(auditChainKey(secret)).Verify(ctx, manage.System())
		if err != nil {
			return fmt.Errorf("%w (%d entries before it verified)", err, checked)
		}
		fmt.Fprintf(stdout, "audit log verified: %d entries\n", checked)
		return nil
	})
}

// auditExport writes the audit log as JSON lines, oldest first.
func auditExport(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit export", stderr)
	since := fs.String("since", "", "only entries at or after this time (RFC 3339)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f storage.AuditFilter
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			fmt.Fprintf(stderr, "foyer audit export: --since must be an RFC 3339 time like 2026-01-02T15:04:05Z\n")
			return errUsage
		}
		f.Since = t
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		_, err := manage.NewAudit(s).ExportAudit(ctx, manage.System(), stdout, f)
		return err
	})
}
