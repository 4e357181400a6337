package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// cliServices are the operator side's services as the CLI runs them: over
// the store, as the system actor, every change in the audit log.
type cliServices struct {
	stores *manage.Stores
	groups *manage.Groups
}

func newCLIServices(s *sqlstore.Store) cliServices {
	core := manage.NewCore(s, nil)
	return cliServices{stores: newStores(core, s), groups: manage.NewGroups(core, s)}
}

// cliInputError prints a validation error's fields and makes it a usage
// error (exit 2); other errors pass through.
func cliInputError(stderr io.Writer, command string, err error) error {
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	fields := make([]string, 0, len(ve.Fields))
	for f := range ve.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		fmt.Fprintf(stderr, "foyer %s: %s: %s\n", command, f, ve.Fields[f])
	}
	return errUsage
}

// groupCommand runs "group create NAME", "group add NAME ACCOUNT" and
// "group remove NAME ACCOUNT" (ACCOUNT: e-mail, username or id) through
// manage.Groups.
func groupCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	want := map[string]int{"create": 1, "add": 2, "remove": 2}[verb]
	pos, rest := splitPositional(args, want)
	fs := newFlags("group "+verb, stderr)
	storeID := fs.String("store", defaultStoreID, "identity store")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != want {
		fmt.Fprintln(stderr, "usage: foyer group create NAME | foyer group add|remove NAME ACCOUNT [--store ID]")
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		groups := newCLIServices(s).groups
		if verb == "create" {
			_, err := groups.Create(ctx, manage.System(), *storeID, manage.GroupInput{Name: pos[0]})
			switch {
			case errors.Is(err, manage.ErrNotFound):
				return fmt.Errorf("no identity store %q", *storeID)
			case errors.Is(err, manage.ErrConflict):
				return fmt.Errorf("group %q exists", pos[0])
			case err != nil:
				return cliInputError(stderr, "group create", err)
			}
			fmt.Fprintf(stdout, "created group %s\n", strings.TrimSpace(pos[0]))
			return nil
		}
		return groupMembership(ctx, s, groups, *storeID, verb, pos[0], pos[1], stdout)
	})
}

func groupMembership(ctx context.Context, s *sqlstore.Store, groups *manage.Groups, storeID, verb, name, who string, stdout io.Writer) error {
	g, err := groups.FindByName(ctx, manage.System(), storeID, name)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no group %q in store %q", name, storeID)
	} else if err != nil {
		return err
	}
	acct, err := findAccount(ctx, s, storeID, who)
	if err != nil {
		return err
	}
	if verb == "add" {
		err = groups.AddMember(ctx, manage.System(), storeID, g.ID, acct.ID)
	} else {
		err = groups.RemoveMember(ctx, manage.System(), storeID, g.ID, acct.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%s is not in group %q", who, name)
		}
	}
	if err == nil {
		fmt.Fprintf(stdout, "%s: %s %s\n", name, map[string]string{"add": "added", "remove": "removed"}[verb], who)
	}
	return err
}

// groupAdminCommand runs "group list", "group rename NAME NEW" and "group
// delete NAME" through manage.Groups.
func groupAdminCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	want := map[string]int{"list": 0, "rename": 2, "delete": 1}[verb]
	pos, rest := splitPositional(args, want)
	fs := newFlags("group "+verb, stderr)
	storeID := fs.String("store", defaultStoreID, "identity store")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != want {
		fmt.Fprintln(stderr, "usage: foyer group list | foyer group rename NAME NEW | foyer group delete NAME [--store ID]")
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		groups := newCLIServices(s).groups
		if verb == "list" {
			list, _, err := groups.List(ctx, manage.System(), *storeID, "", 0)
			if errors.Is(err, manage.ErrNotFound) {
				return fmt.Errorf("no identity store %q", *storeID)
			}
			for _, g := range list {
				fmt.Fprintln(stdout, g.Name)
			}
			return err
		}
		g, err := groups.FindByName(ctx, manage.System(), *storeID, pos[0])
		if errors.Is(err, manage.ErrNotFound) {
			return fmt.Errorf("no group %q in store %q", pos[0], *storeID)
		} else if err != nil {
			return err
		}
		if verb == "delete" {
			err = groups.Delete(ctx, manage.System(), *storeID, g.ID, g.Version)
		} else {
			_, err = groups.Update(ctx, manage.System(), *storeID, g.ID, g.Version, manage.GroupInput{Name: pos[1]})
		}
		switch {
		case errors.Is(err, manage.ErrConflict):
			return fmt.Errorf("group %q: the new name is taken, or an application's group restriction names it (change the restriction first)", pos[0])
		case errors.Is(err, manage.ErrStale):
			return fmt.Errorf("group %q changed meanwhile; run the command again", pos[0])
		case err != nil:
			return cliInputError(stderr, "group "+verb, err)
		}
		fmt.Fprintf(stdout, "%sd group %s\n", verb, pos[0])
		return nil
	})
}
