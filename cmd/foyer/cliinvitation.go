package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/themes"
)

const invitationUsage = "usage: foyer invitation send --client ID --email E [--organization ORG] [--language L] [--role R]... [--group G]... [--attr NAME=VALUE]... | list [--organization ORG|none] | resend ID | revoke ID [--store ID]"

// invitationCommand runs "invitation send|list|resend|revoke" through
// manage.Invitations as the system: the same checks as the console and
// the API, each change in the audit log. The e-mail is queued in the
// outbox; a running server delivers it.
func invitationCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	want, ok := map[string]int{"send": 0, "list": 0, "resend": 1, "revoke": 1}[verb]
	if !ok {
		fmt.Fprintln(stderr, invitationUsage)
		return errUsage
	}
	pos, rest := splitPositional(args, want)
	fs := newFlags("invitation "+verb, stderr)
	storeID := fs.String("store", defaultStoreID, "identity store")
	org := fs.String("organization", "", "organization (name or id; with list also none)")
	asJSON := fs.Bool("json", false, "print JSON")
	var in manage.InvitationInput
	var roles, groups, attrs listFlag
	if verb == "send" {
		fs.StringVar(&in.ClientID, "client", "", "the client whose brand portal the link opens (required)")
		fs.StringVar(&in.Email, "email", "", "the invitee's e-mail address (required)")
		fs.StringVar(&in.Language, "language", "", "the invitee's default language")
		fs.Var(&roles, "role", "role in the organization, name or id (repeatable)")
		fs.Var(&groups, "group", "group, name or id (repeatable)")
		fs.Var(&attrs, "attr", "pre-filled profile attribute NAME=VALUE (repeatable)")
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != want {
		fmt.Fprintln(stderr, invitationUsage)
		return errUsage
	}
	if err := attributeFlags(attrs, &in); err != nil {
		fmt.Fprintf(stderr, "foyer invitation send: %v\n", err)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		svc, err := cliInvitations(cfg, s)
		if err != nil {
			return err
		}
		switch verb {
		case "list":
			return invitationList(ctx, s, svc, *storeID, *org, *asJSON, stdout)
		case "send":
			return invitationSend(ctx, s, svc, *storeID, *org, in, roles, groups, *asJSON, stdout, stderr)
		case "resend":
			inv, err := svc.Resend(ctx, manage.System(), *storeID, pos[0])
			if err != nil {
				return invitationCLIError(pos[0], err)
			}
			fmt.Fprintf(stdout, "%s: sent again to %s with a new link, expires %s\n", inv.ID, inv.Email, inv.ExpiresAt.UTC().Format(listTimeCLI))
			return nil
		default:
			if err := svc.Revoke(ctx, manage.System(), *storeID, pos[0]); err != nil {
				return invitationCLIError(pos[0], err)
			}
			fmt.Fprintf(stdout, "%s: revoked\n", pos[0])
			return nil
		}
	})
}

// listTimeCLI is how the CLI prints times.
const listTimeCLI = "2006-01-02 15:04 UTC"

// cliInvitations is the operator side's invitation service over s.
func cliInvitations(cfg Config, s *sqlstore.Store) (*manage.Invitations, error) {
	renderer, err := themes.New(rendererOptions(cfg, s, false))
	if err != nil {
		return nil, err
	}
	mailer := notify.NewService(s, renderer, nil)
	mailer.UseTemplates(s)
	return newInvitations(cfg, newAdminCore(s, nil), s, renderer, mailer), nil
}

// attributeFlags reads --attr NAME=VALUE into in.
func attributeFlags(attrs listFlag, in *manage.InvitationInput) error {
	for _, a := range attrs {
		name, value, ok := strings.Cut(a, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("--attr %q: want NAME=VALUE", a)
		}
		if in.Attributes == nil {
			in.Attributes = map[string]string{}
		}
		in.Attributes[strings.TrimSpace(name)] = value
	}
	return nil
}

func invitationSend(ctx context.Context, s *sqlstore.Store, svc *manage.Invitations, storeID, org string, in manage.InvitationInput,
	roles, groups listFlag, asJSON bool, stdout, stderr io.Writer) error {
	if in.ClientID == "" || in.Email == "" {
		fmt.Fprintln(stderr, "foyer invitation send: --client and --email are required")
		return errUsage
	}
	var err error
	if in.OrganizationID, in.RoleIDs, in.GroupIDs, err = invitationRefs(ctx, s, storeID, org, roles, groups); err != nil {
		return err
	}
	inv, err := svc.Send(ctx, manage.System(), storeID, in)
	if err != nil {
		return cliInputError(stderr, "invitation send", err)
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(inv)
	}
	fmt.Fprintf(stdout, "%s: invitation sent to %s, expires %s\n", inv.ID, inv.Email, inv.ExpiresAt.UTC().Format(listTimeCLI))
	return nil
}

// invitationRefs finds the organization, roles and groups the command
// names (case-insensitively) or gives by id; a name it does not know is
// passed on as it is, for the service to refuse next to its field.
func invitationRefs(ctx context.Context, s *sqlstore.Store, storeID, org string, roles, groups listFlag) (string, []string, []string, error) {
	orgs, err := s.ListOrganizations(ctx, storeID, "", 0)
	if err != nil {
		return "", nil, nil, err
	}
	orgID := refID(org, orgs, func(o storage.Organization) (string, string) { return o.ID, o.Name })
	defs, err := s.ListStoreRoles(ctx, storeID, "", 0)
	if err != nil {
		return "", nil, nil, err
	}
	var roleIDs, groupIDs []string
	for _, r := range roles {
		roleIDs = append(roleIDs, refID(r, defs, func(x storage.StoreRole) (string, string) { return x.ID, x.Name }))
	}
	all, err := s.ListGroups(ctx, storeID)
	if err != nil {
		return "", nil, nil, err
	}
	for _, g := range groups {
		groupIDs = append(groupIDs, refID(g, all, func(x storage.Group) (string, string) { return x.ID, x.Name }))
	}
	return orgID, roleIDs, groupIDs, nil
}

// refID is the id of the item named or identified by ref, else ref.
func refID[T any](ref string, items []T, idName func(T) (string, string)) string {
	ref = strings.TrimSpace(ref)
	for _, it := range items {
		if id, name := idName(it); id == ref || strings.EqualFold(name, ref) {
			return id
		}
	}
	return ref
}

func invitationList(ctx context.Context, s *sqlstore.Store, svc *manage.Invitations, storeID, org string, asJSON bool, stdout io.Writer) error {
	if org != "" && org != "none" {
		id, _, _, err := invitationRefs(ctx, s, storeID, org, nil, nil)
		if err != nil {
			return err
		}
		org = id
	}
	page, err := svc.List(ctx, manage.System(), storeID, org, "", 0)
	if err != nil {
		return invitationCLIError(storeID, err)
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(page.Items)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tORGANIZATION\tCLIENT\tSTATUS\tEXPIRES")
	for _, inv := range page.Items {
		orgName := inv.OrganizationName
		if inv.OrganizationID == "" {
			orgName = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", inv.ID, inv.Email, orgName, inv.ClientID, inv.Status, inv.ExpiresAt.UTC().Format(listTimeCLI))
	}
	return tw.Flush()
}

// invitationCLIError says in words what went wrong with what.
func invitationCLIError(what string, err error) error {
	var ce *manage.ConflictError
	switch {
	case errors.Is(err, manage.ErrNotFound):
		return fmt.Errorf("no invitation or identity store %q", what)
	case errors.As(err, &ce):
		return fmt.Errorf("%s: %s", what, ce.Detail)
	}
	return err
}
