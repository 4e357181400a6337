package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"foyer/admin/manage"
	"foyer/storage/sqlstore"
)

// accountRolesCommand runs "account roles list ACCOUNT", "account roles
// assign ACCOUNT ORGANIZATION ROLE" and "account roles remove ACCOUNT
// ORGANIZATION ROLE" through manage.AccountRoles, as the system (each
// change in the audit log). Organizations and roles are named as the
// store defines them (case-insensitively) or by id.
func accountRolesCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	const usageLine = "usage: foyer account roles list ACCOUNT | foyer account roles assign|remove ACCOUNT ORGANIZATION ROLE [--store ID]"
	want, ok := map[string]int{"list": 1, "assign": 3, "remove": 3}[verb]
	if !ok {
		fmt.Fprintln(stderr, usageLine)
		return errUsage
	}
	pos, rest := splitPositional(args, want)
	fs := newFlags("account roles "+verb, stderr)
	storeID := fs.String("store", defaultStoreID, "identity store")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != want {
		fmt.Fprintln(stderr, usageLine)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		core := manage.NewCore(s, nil)
		svc := manage.NewAccountRoles(core, s)
		acct, err := findAccount(ctx, s, *storeID, pos[0])
		if err != nil {
			return err
		}
		if verb == "list" {
			pairs, err := svc.List(ctx, manage.System(), *storeID, acct.ID)
			for _, p := range pairs {
				fmt.Fprintf(stdout, "%s\t%s\n", p.OrganizationName, p.RoleName)
			}
			return err
		}
		orgID, roleID, err := pairIDs(ctx, core, s, *storeID, pos[1], pos[2])
		if err != nil {
			return err
		}
		return changeAccountRole(ctx, svc, *storeID, acct.ID, verb, orgID, roleID, pos, stdout, stderr)
	})
}

func changeAccountRole(ctx context.Context, svc *manage.AccountRoles, storeID, accountID, verb, orgID, roleID string,
	pos []string, stdout, stderr io.Writer) error {
	var err error
	if verb == "assign" {
		_, err = svc.Assign(ctx, manage.System(), storeID, accountID, manage.RoleAssignment{OrganizationID: orgID, RoleID: roleID})
	} else {
		err = svc.Remove(ctx, manage.System(), storeID, accountID, orgID, roleID)
	}
	switch {
	case errors.Is(err, manage.ErrConflict):
		return fmt.Errorf("%s holds role %q in %q already", pos[0], pos[2], pos[1])
	case errors.Is(err, manage.ErrNotFound) && verb == "remove":
		return fmt.Errorf("%s holds no role %q in %q", pos[0], pos[2], pos[1])
	case err != nil:
		return cliInputError(stderr, "account roles "+verb, err)
	}
	fmt.Fprintf(stdout, "%s: %s %s in %s\n", pos[0], map[string]string{"assign": "assigned", "remove": "removed"}[verb], pos[2], pos[1])
	return nil
}

// pairIDs finds the organization and role the command names.
func pairIDs(ctx context.Context, core *manage.Core, s *sqlstore.Store, storeID, org, role string) (orgID, roleID string, _ error) {
	orgs, _, err := manage.NewOrganizations(core, s).List(ctx, manage.System(), storeID, "", 0)
	if err != nil {
		return "", "", err
	}
	for _, o := range orgs {
		if o.ID == org || strings.EqualFold(o.Name, strings.TrimSpace(org)) {
			orgID = o.ID
		}
	}
	roles, _, err := manage.NewRoles(core, s).List(ctx, manage.System(), storeID, "", 0)
	if err != nil {
		return "", "", err
	}
	for _, r := range roles {
		if r.ID == role || strings.EqualFold(r.Name, strings.TrimSpace(role)) {
			roleID = r.ID
		}
	}
	switch {
	case orgID == "":
		return "", "", fmt.Errorf("no organization %q in store %q", org, storeID)
	case roleID == "":
		return "", "", fmt.Errorf("no role %q in store %q", role, storeID)
	}
	return orgID, roleID, nil
}
