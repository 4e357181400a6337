package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"foyer/admin/manage"
	"foyer/storage/sqlstore"
)

// appBranding runs "app branding show|set" through the same service as
// the console and the API (manage.Brandings), as the system.
func appBranding(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	switch verb {
	case "show":
		return appBrandingShow(ctx, cfg, args, stdout, stderr)
	case "set":
		return appBrandingSet(ctx, cfg, args, stdout, stderr)
	}
	fmt.Fprintln(stderr, "usage: foyer app branding show|set --app APP [flags]")
	return errUsage
}

// appFlag is --app, with --application (as the policy commands spell it)
// as its alias.
func appFlag(fs *flag.FlagSet) *string {
	id := fs.String("app", defaultApplicationID, "application id")
	fs.StringVar(id, "application", defaultApplicationID, "the same as --app")
	return id
}

func appBrandingShow(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app branding show", stderr)
	appID := appFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		v, err := manage.NewBrandings(manage.NewCore(s, nil), s).Get(ctx, manage.System(), manage.ApplicationOwner(*appID))
		if err != nil {
			return serviceError(stderr, "app branding show", err)
		}
		return printBranding(stdout, v, *asJSON)
	})
}

// brandingFlags are what "app branding set" changes; a flag not given
// keeps the stored value.
type brandingFlags struct {
	colors, dark                                    map[string]string
	extraCSS, supportURL, supportEmail, terms, priv string
	logo, favicon                                   string
	removeLogo, removeFavicon                       bool
}

func colorFlag(m map[string]string) func(string) error {
	return func(v string) error {
		name, value, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("want NAME=#rrggbb (an empty value removes it), not %q", v)
		}
		m[strings.TrimSpace(name)] = strings.TrimSpace(value)
		return nil
	}
}

func appBrandingSet(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app branding set", stderr)
	appID := appFlag(fs)
	f := brandingFlags{colors: map[string]string{}, dark: map[string]string{}}
	fs.Func("color", "a theme colour or the radius, NAME=VALUE (e.g. bg=#ffffff, radius=4px; NAME= removes it); repeatable", colorFlag(f.colors))
	fs.Func("dark-color", "a dark-scheme colour, NAME=VALUE; repeatable", colorFlag(f.dark))
	fs.StringVar(&f.extraCSS, "extra-css", "", "a file of extra CSS (empty: none)")
	fs.StringVar(&f.supportURL, "support-url", "", "support page, https")
	fs.StringVar(&f.supportEmail, "support-email", "", "support e-mail address")
	fs.StringVar(&f.terms, "terms-url", "", "terms of use, https")
	fs.StringVar(&f.priv, "privacy-url", "", "privacy policy, https")
	fs.StringVar(&f.logo, "logo", "", "a logo file to upload (PNG, JPEG, GIF or WebP)")
	fs.StringVar(&f.favicon, "favicon", "", "a favicon file to upload (also ICO)")
	fs.BoolVar(&f.removeLogo, "remove-logo", false, "remove the uploaded logo")
	fs.BoolVar(&f.removeFavicon, "remove-favicon", false, "remove the uploaded favicon")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	images, err := readBrandImages(f)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		svc := manage.NewBrandings(manage.NewCore(s, nil), s)
		owner := manage.ApplicationOwner(*appID)
		v, err := svc.Get(ctx, manage.System(), owner)
		if err != nil {
			return serviceError(stderr, "app branding set", err)
		}
		in, err := f.apply(v.BrandingInput, given)
		if err != nil {
			return err
		}
		// A refused image changes nothing: check the files before the
		// other fields are saved.
		for kind, data := range images {
			if err := manage.CheckImage(kind, data); err != nil {
				return serviceError(stderr, "app branding set", err)
			}
		}
		// Only images given (or the fields given as stored): the service
		// changes nothing and writes no entry.
		if v, err = svc.Update(ctx, manage.System(), owner, v.Version, in); err != nil {
			return serviceError(stderr, "app branding set", err)
		}
		for _, kind := range []manage.BrandImage{manage.Logo, manage.Favicon} {
			if data, ok := images[kind]; ok {
				v, err = svc.SetImage(ctx, manage.System(), owner, v.Version, kind, data)
			} else if (kind == manage.Logo && f.removeLogo) || (kind == manage.Favicon && f.removeFavicon) {
				v, err = svc.RemoveImage(ctx, manage.System(), owner, v.Version, kind)
			}
			if err != nil {
				return serviceError(stderr, "app branding set", err)
			}
		}
		return printBranding(stdout, v, *asJSON)
	})
}

// readBrandImages reads the files named, before the store is opened.
func readBrandImages(f brandingFlags) (map[manage.BrandImage][]byte, error) {
	out := map[manage.BrandImage][]byte{}
	for kind, path := range map[manage.BrandImage]string{manage.Logo: f.logo, manage.Favicon: f.favicon} {
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the file
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", kind, err)
		}
		out[kind] = data
	}
	return out, nil
}

// apply lays the given flags over the stored input.
func (f brandingFlags) apply(in manage.BrandingInput, given map[string]bool) (manage.BrandingInput, error) {
	merge := func(dst map[string]string, set map[string]string) map[string]string {
		if dst == nil {
			dst = map[string]string{}
		}
		for k, v := range set {
			if v == "" {
				delete(dst, k)
			} else {
				dst[k] = v
			}
		}
		return dst
	}
	in.Colors, in.DarkColors = merge(in.Colors, f.colors), merge(in.DarkColors, f.dark)
	if given["extra-css"] {
		in.ExtraCSS = ""
		if f.extraCSS != "" {
			css, err := os.ReadFile(f.extraCSS) //nolint:gosec // G304: the operator names the file
			if err != nil {
				return in, fmt.Errorf("--extra-css: %w", err)
			}
			in.ExtraCSS = string(css)
		}
	}
	for _, l := range []struct {
		flag string
		dst  *string
		v    string
	}{{"support-url", &in.SupportURL, f.supportURL}, {"support-email", &in.SupportEmail, f.supportEmail},
		{"terms-url", &in.TermsURL, f.terms}, {"privacy-url", &in.PrivacyURL, f.priv}} {
		if given[l.flag] {
			*l.dst = l.v
		}
	}
	return in, nil
}

func printBranding(w io.Writer, v manage.BrandingView, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\n", k, v)
	}
	row("logo", v.LogoURL)
	row("favicon", v.FaviconURL)
	row("stylesheet", v.StyleURL)
	for _, scheme := range []struct {
		label string
		m     map[string]string
	}{{"color", v.Colors}, {"dark-color", v.DarkColors}} {
		for _, k := range slices.Sorted(maps.Keys(scheme.m)) {
			row(scheme.label, k+"="+scheme.m[k])
		}
	}
	row("extra-css", fmt.Sprintf("%d bytes", len(v.ExtraCSS)))
	row("support-url", v.SupportURL)
	row("support-email", v.SupportEmail)
	row("terms-url", v.TermsURL)
	row("privacy-url", v.PrivacyURL)
	return tw.Flush()
}
