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
	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// cliClients is the clients service the CLI runs as manage.System(): the
// admin API's, so there is one validation path and every change is in
// the audit log.
func cliClients(s *sqlstore.Store) *manage.Clients {
	return manage.NewClients(newAdminCore(s, nil), s, clientRegistry{})
}

// clientInputOf is the API's view of a spec the CLI's flags built.
func clientInputOf(spec authz.ClientSpec) manage.ClientInput {
	return manage.ClientInput{
		ApplicationID: spec.ApplicationID, ClientName: spec.Name, RedirectURIs: spec.RedirectURIs,
		PostLogoutRedirectURIs: spec.PostLogoutRedirectURIs, GrantTypes: spec.GrantTypes,
		Scope: strings.Join(spec.Scopes, " "), TokenEndpointAuthMethod: spec.TokenEndpointAuthMethod,
		FirstParty: spec.FirstParty, ResourceServer: spec.ResourceServer, Public: spec.Public,
		InitiateLoginURI: spec.InitiateLoginURI, BackchannelLogoutURI: spec.BackchannelLogoutURI,
		BackchannelLogoutSessionRequired: spec.BackchannelLogoutSessionRequired,
	}
}

// allClients pages through every client.
func allClients(ctx context.Context, svc *manage.Clients) ([]manage.Client, error) {
	var all []manage.Client
	after := ""
	for {
		page, more, err := svc.List(ctx, manage.System(), after, 200)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if !more || len(page) == 0 {
			return all, nil
		}
		after = page[len(page)-1].ClientID
	}
}

// cliServiceError words the service's validation errors for a terminal.
func cliServiceError(err error) error {
	var ve *manage.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("%s", strings.TrimPrefix(ve.Error(), "invalid input: "))
	}
	return err
}

// clientSecretRotate is "foyer client secret rotate --id ID [--overlap D]":
// a new secret, printed once; the previous one keeps working for the
// overlap (none by default).
func clientSecretRotate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("client secret rotate", stderr)
	id := fs.String("id", "", "client id (required)")
	overlap := fs.Duration("overlap", 0, "how long the previous secret keeps working (at most 168h)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *overlap < 0 || *overlap > manage.MaxSecretOverlap {
		fmt.Fprintf(stderr, "foyer client secret rotate: --id is required and --overlap must be 0 to %s\n", manage.MaxSecretOverlap)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		c, err := cliClients(s).RotateSecret(ctx, manage.System(), *id, 0, *overlap)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no client with id %q", *id)
		}
		if err != nil {
			return cliServiceError(err)
		}
		if *asJSON {
			out := map[string]any{"client_id": c.ClientID, "client_secret": c.ClientSecret}
			if c.PreviousSecretExpiresAt != nil {
				out["previous_secret_expires_at"] = c.PreviousSecretExpiresAt.Format(time.RFC3339)
			}
			return json.NewEncoder(stdout).Encode(out)
		}
		fmt.Fprintf(stdout, "client_id:     %s\nclient_secret: %s\n(the secret is shown once; only its digest is stored)\n", c.ClientID, c.ClientSecret)
		if c.PreviousSecretExpiresAt != nil {
			fmt.Fprintf(stdout, "the previous secret works until %s\n", c.PreviousSecretExpiresAt.Format(time.RFC3339))
		}
		return nil
	})
}

// clientRolesSet is "foyer client roles set --id ID [--role R [--store S]...]":
// the admin role a client's client-credentials tokens act with (none
// without --role), as the system.
func clientRolesSet(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("client roles set", stderr)
	id := fs.String("id", "", "client id (required)")
	role := fs.String("role", "", "owner, admin, support or auditor (none: take the client off the admin API)")
	var stores listFlag
	fs.Var(&stores, "store", "limit the role to this identity store (repeatable; default: every store)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *role == "" && len(stores) > 0 {
		fmt.Fprintln(stderr, "foyer client roles set: --id is required, and --store needs --role")
		return errUsage
	}
	var grants []manage.Grant
	if *role != "" {
		grants = []manage.Grant{{Role: storage.AdminRole(*role), StoreIDs: stores}}
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		// Version 0: the CLI replaces the roles outright (no If-Match).
		roles, err := cliClients(s).SetRoles(ctx, manage.System(), *id, 0, grants)
		var ve *manage.ValidationError
		if errors.As(err, &ve) {
			// A bad role or store is bad input, named by its flag.
			fmt.Fprintf(stderr, "foyer client roles set: %s\n", cliFields(ve))
			return errUsage
		}
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no client with id %q", *id)
		}
		if err != nil {
			return cliServiceError(err)
		}
		return json.NewEncoder(stdout).Encode(roles)
	})
}
