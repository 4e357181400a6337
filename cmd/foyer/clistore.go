package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

const storeUsage = `usage: foyer store create NAME [--id ID] [--identifiers email,username,phone] [--attributes JSON] [--organization-attributes JSON]
       foyer store list [--json]
       foyer store rename ID NAME
       foyer store delete ID`

// storeCommand runs "store create|list|rename|delete" through
// manage.Stores, as the system: the same validation and audit entries as
// the console and the API.
func storeCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	want := map[string]int{"create": 1, "list": 0, "rename": 2, "delete": 1}[verb]
	pos, rest := splitPositional(args, want)
	fs := newFlags("store "+verb, stderr)
	id := fs.String("id", "", "the new store's id (create; default: generated)")
	identifiers := fs.String("identifiers", "email", "comma-separated identifier types (create)")
	attributes := fs.String("attributes", "", "the attribute schema as a JSON array (create)")
	orgAttributes := fs.String("organization-attributes", "", "the organization schema (company information) as a JSON array (create)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != want {
		fmt.Fprintln(stderr, storeUsage)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		stores := newCLIServices(s).stores
		switch verb {
		case "create":
			in := manage.StoreInput{ID: *id, Name: pos[0], IdentifierTypes: identifierTypes(*identifiers)}
			for _, f := range []struct {
				name, value string
				into        *[]storage.AttributeDef
			}{{"attributes", *attributes, &in.Attributes}, {"organization-attributes", *orgAttributes, &in.OrganizationAttributes}} {
				if f.value == "" {
					continue
				}
				if err := json.Unmarshal([]byte(f.value), f.into); err != nil {
					fmt.Fprintf(stderr, "foyer store create: --%s is not a JSON array of attributes: %v\n", f.name, err)
					return errUsage
				}
			}
			return storeCreate(ctx, stores, in, stdout, stderr)
		case "list":
			return storeList(ctx, stores, *asJSON, stdout)
		case "rename":
			return storeRename(ctx, stores, pos[0], pos[1], stdout, stderr)
		default:
			return storeDelete(ctx, stores, pos[0], stdout)
		}
	})
}

func identifierTypes(list string) []storage.IdentifierType {
	var out []storage.IdentifierType
	for t := range strings.SplitSeq(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, storage.IdentifierType(t))
		}
	}
	return out
}

func storeCreate(ctx context.Context, stores *manage.Stores, in manage.StoreInput, stdout, stderr io.Writer) error {
	is, err := stores.Create(ctx, manage.System(), in)
	if errors.Is(err, manage.ErrConflict) {
		return fmt.Errorf("an identity store with id %q exists", in.ID)
	}
	if err != nil {
		return cliInputError(stderr, "store create", err)
	}
	fmt.Fprintf(stdout, "created identity store %s (%s)\n", is.ID, is.Name)
	return nil
}

func storeList(ctx context.Context, stores *manage.Stores, asJSON bool, stdout io.Writer) error {
	list, _, err := stores.List(ctx, manage.System(), "", 0)
	if err != nil {
		return err
	}
	if asJSON {
		if list == nil {
			list = []manage.IdentityStore{}
		}
		return json.NewEncoder(stdout).Encode(list)
	}
	for _, is := range list {
		types := make([]string, len(is.IdentifierTypes))
		for i, t := range is.IdentifierTypes {
			types[i] = string(t)
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%d attributes\n", is.ID, is.Name, strings.Join(types, ","), len(is.Attributes))
	}
	return nil
}

// storeRename changes the name only: the update replaces the whole store,
// so it sends back the types and schema it read, at the version it read.
func storeRename(ctx context.Context, stores *manage.Stores, id, name string, stdout, stderr io.Writer) error {
	is, err := stores.Get(ctx, manage.System(), id)
	if errors.Is(err, manage.ErrNotFound) {
		return fmt.Errorf("no identity store %q", id)
	} else if err != nil {
		return err
	}
	_, err = stores.Update(ctx, manage.System(), id, is.Version, manage.StoreInput{Name: name,
		IdentifierTypes: is.IdentifierTypes, Attributes: is.Attributes})
	if errors.Is(err, manage.ErrStale) {
		return fmt.Errorf("identity store %q changed meanwhile; run the command again", id)
	}
	if err != nil {
		return cliInputError(stderr, "store rename", err)
	}
	fmt.Fprintf(stdout, "renamed identity store %s to %s\n", id, strings.TrimSpace(name))
	return nil
}

func storeDelete(ctx context.Context, stores *manage.Stores, id string, stdout io.Writer) error {
	err := stores.Delete(ctx, manage.System(), id, 0)
	switch {
	case errors.Is(err, manage.ErrNotFound):
		return fmt.Errorf("no identity store %q", id)
	case errors.Is(err, manage.ErrForbidden):
		return fmt.Errorf("the %s store cannot be deleted", id)
	case errors.Is(err, manage.ErrConflict):
		return fmt.Errorf("identity store %q still has accounts or applications; only an empty store can be deleted", id)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "deleted identity store %s\n", id)
	return nil
}
