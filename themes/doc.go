// Package themes owns how Foyer's pages look and which language they speak:
// the embedded default theme (HTML templates, CSS, locale catalogs), an
// optional override directory, language negotiation and per-application
// branding.
//
// It imports nothing of Foyer's so every domain (authz, selfservice, admin,
// notify) can render through it without creating import cycles.
//
// # Layout of a theme
//
//	templates/layout.html   the shared page frame ({{define "layout"}})
//	templates/_*.html       shared partials (alert, hidden fields, ...)
//	templates/NAME.html     one page each; Page.Template is NAME
//	static/...              served by StaticHandler under /static/
//	locales/TAG.json        flat JSON object: message key -> fmt format string
//
// An override directory (Options.OverrideDir) uses the same relative paths.
// A file there replaces the embedded file of the same path; new templates,
// static files and languages may be added. Catalogs are merged key by key, so
// an override locales/en.json holding one key changes only that string.
// Everything is read and parsed once in New: a broken override fails start-up
// instead of the first request, and editing it requires a restart. Each page
// and e-mail is parsed once and checked (html/template's escaping) in the
// default language. A page keeps only the layout and partials it calls
// (shared, not copied, between pages). Renders execute copies whose t is
// bound to the language and scope of the render at hand, taken from and
// given back to a few idle ones per page: the heap grows with the renders
// that run at once, not with languages and translation packages.
//
// # Content-Security-Policy
//
// Pages must render under
//
//	default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; form-action 'self'
//
// so no template has inline script, inline <style> or style="" attributes.
// Branding therefore cannot be written into the page. Instead the layout
// links a tiny generated stylesheet, /static/brand.css?c=RRGGBB, which
// StaticHandler answers with
//
//	:root{--primary:#rrggbb;--primary-contrast:#ffffff}
//
// after checking c is exactly six hex digits (anything else is a 400, so
// nothing can be injected into CSS). The contrast color is black or white,
// whichever has the higher WCAG contrast ratio against the primary color.
// The response depends only on the query, so it is cached for a year.
//
// Render sets that policy itself when the caller has not set a
// Content-Security-Policy header; callers that redirect form posts to other
// origins (e.g. logout to a relying party) set their own.
//
// Branding is sanitised before use: PrimaryColor must match ^#[0-9a-fA-F]{6}$
// (else the default color is used) and LogoURL must be http(s) or an
// absolute path (else it is dropped and the application name is shown).
//
// # Languages
//
// NegotiateRequest picks, in order, the language picked in the footer's
// language picker (the foyer_lang cookie, set by LanguageHandler), the OIDC
// ui_locales, the account's language, the browser's Accept-Language (by
// q-value) and finally Options.DefaultLanguage; Negotiate is the same
// without a request.
// A catalog of the requested tag's very name wins; otherwise
// golang.org/x/text/language's matcher picks the closest catalog when it is
// highly confident ("de-AT" -> "de", "pt-PT" -> "pt-BR", "gsw" -> "de"),
// and the next candidate is tried when it is not. T falls
// back to the default language, then English, then the key itself, so a
// missing translation degrades to readable text rather than an error.
//
// # Translation packages
//
// Options.Catalogs (a CatalogSource) adds catalogs uploaded at run time,
// per scope: Branding.Scope names the packages a page or e-mail sees (an
// application's over its identity store's). A key is looked up in the
// scope's package of the language, the built-in catalog of the language,
// then the same two for the default language and English. The languages a
// page offers are the built-in catalogs plus the scope's packages. Packages
// are cached per node for Options.CatalogTTL (DefaultCatalogTTL), never read
// per string; ForgetCatalogs drops the cache after a change on this node.
//
// # Writing direction
//
// Pages and e-mails carry dir="rtl" (Dir) for languages written in a
// right-to-left script, and the stylesheets use logical properties so the
// layout mirrors.
package themes
