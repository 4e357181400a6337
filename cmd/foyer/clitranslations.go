package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"foyer/admin/manage"
	"foyer/storage/sqlstore"
	"foyer/themes"
)

const translationsUsage = `usage: foyer translations list --store S [--app A] [--json]
       foyer translations export --store S [--app A] --lang L [--file F]
       foyer translations import --store S [--app A] --lang L --file F
       foyer translations delete --store S [--app A] --lang L`

// translationsCommand runs "translations list|export|import|delete"
// through manage.Translations as the system: the API's checks and audit
// entries. Running servers see a change within themes.DefaultCatalogTTL.
func translationsCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("translations "+verb, stderr)
	storeID := fs.String("store", defaultStoreID, "identity store")
	appID := fs.String("app", "", "application (default: the whole store)")
	lang := fs.String("lang", "", "language tag, e.g. fr or pt-BR")
	file := fs.String("file", "", "catalog file (import; export writes stdout without it)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	known := map[string]bool{"list": true, "export": true, "import": true, "delete": true}
	if !known[verb] {
		fmt.Fprintln(stderr, translationsUsage)
		return errUsage
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if (verb != "list" && *lang == "") || (verb == "import" && *file == "") {
		fmt.Fprintln(stderr, translationsUsage)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		renderer, err := themes.New(rendererOptions(cfg, s, false))
		if err != nil {
			return err
		}
		svc := manage.NewTranslations(manage.NewCore(s, nil), s, renderer)
		target := manage.TranslationTarget{StoreID: *storeID, ApplicationID: *appID}
		if *appID != "" {
			target.StoreID = "" // the application names its store
		}
		sys := manage.System()
		switch verb {
		case "list":
			langs, err := svc.List(ctx, sys, target)
			if err != nil {
				return translationsError(stderr, verb, err)
			}
			return printTranslations(stdout, langs, *asJSON)
		case "export":
			cat, err := svc.Export(ctx, sys, target, *lang)
			if err != nil {
				return translationsError(stderr, verb, err)
			}
			return writeCatalog(stdout, *file, cat)
		case "import":
			raw, err := os.ReadFile(*file)
			if err != nil {
				return err
			}
			v, err := svc.Import(ctx, sys, target, *lang, raw)
			if err != nil {
				return translationsError(stderr, verb, err)
			}
			fmt.Fprintf(stdout, "imported %s: %d strings, %d of English's missing (they fall back)\n", v.Language, v.Keys, v.Missing)
			return nil
		}
		if err := svc.Delete(ctx, sys, target, *lang); err != nil {
			return translationsError(stderr, verb, err)
		}
		fmt.Fprintf(stdout, "deleted the %s translation package\n", *lang)
		return nil
	})
}

func translationsError(stderr io.Writer, verb string, err error) error {
	if errors.Is(err, manage.ErrNotFound) {
		return errors.New("no such identity store, application or translation package")
	}
	return cliInputError(stderr, "translations "+verb, err)
}

func writeCatalog(stdout io.Writer, file string, cat map[string]string) error {
	b, err := json.MarshalIndent(cat, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if file == "" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(file, b, 0o600)
}

func printTranslations(stdout io.Writer, langs []manage.TranslationLanguage, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(langs)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LANGUAGE\tNAME\tBUILT-IN\tPACKAGE\tSTRINGS\tMISSING")
	for _, l := range langs {
		fmt.Fprintf(tw, "%s\t%s\t%t\t%t\t%d\t%d\n", l.Language, l.Name, l.BuiltIn, l.Package, l.Keys, l.Missing)
	}
	return tw.Flush()
}
