package main

import (
	"foyer/admin/manage"
	"foyer/storage"
	"foyer/themes"
)

// languagePath is the footer language picker's route.
const languagePath = "/language"

// rendererOptions are the theme's options for a server or a CLI command:
// the operator's theme directory, and the translation packages of the
// database on top of the built-in catalogs (cached per node for
// themes.DefaultCatalogTTL).
func rendererOptions(cfg Config, store storage.TranslationPackages, secureCookies bool) themes.Options {
	return themes.Options{OverrideDir: cfg.ThemeDir, DefaultLanguage: "en",
		Catalogs: manage.TranslationSource{Store: store}, LanguagePath: languagePath, SecureCookies: secureCookies,
		PublicURL: cfg.Issuer}
}
