package themes

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"text/template/parse"
)

// DefaultPrimaryColor is used when a Branding has no valid PrimaryColor.
// White text on it has a contrast ratio above 5:1.
const DefaultPrimaryColor = "#2563eb"

// CSPWithFormTarget is DefaultCSP with the origin of target added to
// form-action, for pages whose form post ends at (or redirects to) a
// relying party: browsers apply form-action to every hop. A target that is
// neither an absolute http(s) URL nor a private-use scheme adds nothing.
func CSPWithFormTarget(target string) string { return CSPWithFormTargets(target) }

// CSPWithFormTargets is CSPWithFormTarget for several targets: a sign-in
// page whose forms also redirect to upstream identity providers.
func CSPWithFormTargets(targets ...string) string {
	sources := []string{"'self'"}
	for _, target := range targets {
		if source := formSource(target); source != "" && !slices.Contains(sources, source) {
			sources = append(sources, source)
		}
	}
	return strings.Replace(DefaultCSP, "form-action 'self'", "form-action "+strings.Join(sources, " "), 1)
}

// formSource is target's CSP source: the origin of an absolute http(s)
// URL, a native app's private-use scheme (RFC 8252, e.g.
// com.example.app:), or "" for anything else.
func formSource(target string) string {
	u, err := url.Parse(target)
	switch {
	case err != nil:
		return ""
	case (u.Scheme == "https" || u.Scheme == "http") && u.Host != "":
		return u.Scheme + "://" + u.Host
	case strings.Contains(u.Scheme, "."):
		return u.Scheme + ":"
	default:
		return ""
	}
}

// DefaultCSP is set by Render when the caller has not set a policy. Nothing
// the default theme renders needs more.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' https: data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

var primaryColorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Branding is an application's (or organization's) look. Render sanitises
// it, so values may come straight from an admin-edited policy. It has the
// fields of storage.EffectiveBranding, which converts to it.
type Branding struct {
	AppName string
	// ApplicationID names the application whose message templates an
	// e-mail or SMS follows (selfservice/notify); pages ignore it.
	ApplicationID string
	LogoURL       string // https://, http:// or an absolute path; anything else is dropped
	PrimaryColor  string // "#rrggbb"; anything else falls back to DefaultPrimaryColor
	FaviconURL    string // like LogoURL
	// Stylesheets are absolute paths of brand stylesheets linked after the
	// theme's (anything else is dropped): same-origin, so the CSP holds.
	Stylesheets  []string
	SupportURL   string // https:// or http://; anything else is dropped
	SupportEmail string // an address shown as a mailto: link
	TermsURL     string // like SupportURL
	PrivacyURL   string // like SupportURL
	// Scope names the translation packages that apply (Options.Catalogs),
	// opaque to themes; "" for the built-in catalogs only.
	Scope string
}

// Page is one page to render.
type Page struct {
	Template string   // template name, e.g. "login", "error", "message", "logout"
	Lang     string   // negotiated tag; empty negotiates from Accept-Language
	Branding Branding // sanitised before use
	// Data is read by the template as .Data: a struct per page, whose
	// fields are the ones the template reads (a misspelt field is then a
	// compile error in Go and an execution error in the template), or a
	// map[string]any, where a missing key reads as empty. The shared
	// partials read Error, Notice and Hidden, and fieldError FieldErrors,
	// through field, so a struct need not carry those it never sets.
	Data   any
	Status int // HTTP status; 200 when zero
	// Return is where the footer's language picker comes back to, a local
	// URL; empty: the request's own. A page answering a form post sets it
	// to a GET that shows the page again (the post's URL lacks what the
	// page's link carried: an interaction and its signature, a token).
	Return string
}

// view is what templates see as the dot.
type view struct {
	Lang     string
	Dir      string   // "rtl" or "ltr", for <html dir>
	Branding Branding // sanitised
	Brand    string   // primary color without '#', for brand.css?c=
	Picker   *picker  // the footer's language picker; nil hides it
	Data     any      // Page.Data; an empty map when nil
}

// pageTemplate is a page's templates, parsed once and never executed: the
// page's own and the layout and partials it calls, by name. The trees of the
// layout and partials are shared by every page. A render executes a copy
// (html/template's escaping rewrites the trees it runs), see copies.
type pageTemplate struct {
	name   string
	trees  map[string]*parse.Tree
	copies copies[*boundPage]
}

// boundPage is one copy of a page's templates. Its t translates into k,
// which the one render holding the copy sets.
type boundPage struct {
	tmpl *template.Template
	k    binding
}

// takePage returns a copy of pt bound to k; the caller gives it back to
// pt.copies when it has executed it.
func (r *Renderer) takePage(pt *pageTemplate, k binding) (*boundPage, error) {
	bp, err := pt.copies.take(func() (*boundPage, error) { return r.copyPage(pt) })
	if err != nil {
		return nil, err
	}
	bp.k = k
	return bp, nil
}

// copyPage makes a copy of pt's trees, with only what the page reaches:
// a copy of every partial per page was most of the heap.
func (r *Renderer) copyPage(pt *pageTemplate) (*boundPage, error) {
	bp := &boundPage{}
	t := func(key string, args ...any) string { return r.translate(bp.k, key, args...) }
	set := template.New(pt.name).Funcs(r.baseFuncs()).Funcs(template.FuncMap{"t": t}).Option("missingkey=zero")
	for _, name := range sortedKeys(pt.trees) {
		if _, err := set.AddParseTree(name, pt.trees[name].Copy()); err != nil {
			return nil, err
		}
	}
	bp.tmpl = set.Lookup(pt.name)
	return bp, nil
}

func sanitizeBranding(b Branding, defaultName string) Branding {
	b.AppName = strings.TrimSpace(b.AppName)
	if b.AppName == "" {
		b.AppName = defaultName
	}
	if !primaryColorPattern.MatchString(b.PrimaryColor) {
		b.PrimaryColor = DefaultPrimaryColor
	}
	b.PrimaryColor = strings.ToLower(b.PrimaryColor)
	if !safeLogoURL(b.LogoURL) {
		b.LogoURL = ""
	}
	if !safeLogoURL(b.FaviconURL) {
		b.FaviconURL = ""
	}
	var sheets []string
	for _, s := range b.Stylesheets {
		if strings.HasPrefix(s, "/") && safeLogoURL(s) {
			sheets = append(sheets, s)
		}
	}
	b.Stylesheets = sheets
	for _, u := range []*string{&b.SupportURL, &b.TermsURL, &b.PrivacyURL} {
		if strings.HasPrefix(*u, "/") || !safeLogoURL(*u) {
			*u = ""
		}
	}
	if a, err := mail.ParseAddress(b.SupportEmail); err != nil || a.Name != "" || a.Address != b.SupportEmail {
		b.SupportEmail = ""
	}
	return b
}

func safeLogoURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n\\\"'<>") {
		return false
	}
	if strings.HasPrefix(s, "/") {
		// "//host" is another origin and "/\" is treated like it by browsers.
		return !strings.HasPrefix(s, "//")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http"
}

// baseFuncs are the template functions that do not depend on the language.
// t is a placeholder for parsing, replaced in every copy (copyPage).
func (r *Renderer) baseFuncs() template.FuncMap {
	return template.FuncMap{
		"t":            func(key string, args ...any) string { return key },
		"asset":        r.assetURL,
		"str":          str,
		"fieldError":   fieldError,
		"errorSummary": errorSummary,
		"field":        field,
	}
}

// field is data's value named name, for the partials and functions that
// every page shares: a map's key, or an exported field of a struct (or of
// a pointer to one). It is nil when data has no such key or field, so a
// page's struct need not declare what it never sets.
func field(data any, name string) any {
	if m, ok := data.(map[string]any); ok {
		return m[name]
	}
	v := reflect.ValueOf(data)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f, ok := v.Type().FieldByName(name)
	if !ok || !f.IsExported() {
		return nil
	}
	fv, err := v.FieldByIndexErr(f.Index)
	if err != nil { // through a nil embedded pointer
		return nil
	}
	return fv.Interface()
}

// str turns an optional Data value into a string: "" for a missing key.
func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// fieldError returns the message key for name in data's FieldErrors (a
// map key or struct field, see field; map[string]string or
// map[string]any), or "".
func fieldError(data any, name string) string {
	switch fe := field(data, "FieldErrors").(type) {
	case map[string]string:
		return fe[name]
	case map[string]any:
		return str(fe[name])
	}
	return ""
}

// loadTemplates parses the layout and partials once, and each page once on
// top of them; copies to execute are made when rendered (copies).
func (r *Renderer) loadTemplates(layers []fs.FS) error {
	files, err := collect(layers, "templates", ".html", false)
	if err != nil {
		return err
	}
	layout, ok := files["layout.html"]
	if !ok {
		return fmt.Errorf("themes: templates/layout.html missing")
	}
	shared := template.New("layout.html").Funcs(r.baseFuncs()).Option("missingkey=zero")
	if _, err := shared.Parse(string(layout)); err != nil {
		return fmt.Errorf("themes: layout.html: %w", err)
	}
	names := sortedKeys(files)
	for _, name := range names {
		if strings.HasPrefix(name, "_") {
			if _, err := shared.New(name).Parse(string(files[name])); err != nil {
				return fmt.Errorf("themes: %s: %w", name, err)
			}
		}
	}
	r.pages = map[string]*pageTemplate{}
	for _, name := range names {
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		page := strings.TrimSuffix(name, ".html")
		if err := r.addPage(shared, page, files[name]); err != nil {
			return err
		}
	}
	return nil
}

func (r *Renderer) addPage(shared *template.Template, page string, src []byte) error {
	// The page is parsed into a set holding the shared trees, uncopied, so
	// its definitions replace the partials' as they would in a clone of
	// shared; the set itself is dropped once the page's trees are known.
	set := template.New(page).Funcs(r.baseFuncs())
	for _, t := range shared.Templates() {
		if _, err := set.AddParseTree(t.Name(), t.Tree); err != nil {
			return fmt.Errorf("themes: %s.html: %w", page, err)
		}
	}
	if _, err := set.Parse(string(src)); err != nil {
		return fmt.Errorf("themes: %s.html: %w", page, err)
	}
	pt := &pageTemplate{name: page, trees: reachable(set, page)}
	// A dry run with no data performs html/template's escaping analysis
	// now, so context errors fail New rather than a request. One language
	// suffices: t's output is escaped the same way whatever it says. The
	// copy stays idle for the first render.
	bp, err := r.takePage(pt, binding{lang: r.defaultLang})
	if err != nil {
		return fmt.Errorf("themes: %s.html: %w", page, err)
	}
	defer pt.copies.give(bp)
	if err := bp.tmpl.Execute(io.Discard, r.dryView(map[string]any{})); err != nil {
		return fmt.Errorf("themes: %s.html: %w", page, err)
	}
	r.pages[page] = pt
	return nil
}

// reachable returns the trees of set that executing name can run: name's
// and those its {{template}} calls name, transitively. Only these are
// executed and escaped, so a page rendered from them alone renders the
// same. A name set does not define is left out and fails the escaping as
// it would have.
func reachable(set *template.Template, name string) map[string]*parse.Tree {
	trees := map[string]*parse.Tree{}
	var visit func(name string)
	visit = func(name string) {
		if _, seen := trees[name]; seen {
			return
		}
		t := set.Lookup(name)
		if t == nil || t.Tree == nil {
			return
		}
		trees[name] = t.Tree
		walkCalls(t.Tree.Root, visit)
	}
	visit(name)
	return trees
}

// walkCalls calls call with the name of every {{template}} under n.
func walkCalls(n parse.Node, call func(name string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkCalls(c, call)
		}
	case *parse.TemplateNode:
		call(n.Name)
	case *parse.IfNode:
		walkCalls(n.List, call)
		walkCalls(n.ElseList, call)
	case *parse.RangeNode:
		walkCalls(n.List, call)
		walkCalls(n.ElseList, call)
	case *parse.WithNode:
		walkCalls(n.List, call)
		walkCalls(n.ElseList, call)
	}
}

func (r *Renderer) dryView(data any) view {
	return view{Lang: r.defaultLang, Dir: Dir(r.defaultLang), Branding: sanitizeBranding(Branding{}, r.appName), Data: data}
}

// TrialRender renders page with data in the default language and discards
// the result. A domain calls it at start with samples of its pages' data
// structs: a template (the default or an operator's) that reads a field
// the struct lacks then fails start-up rather than a request. Which fields
// a template reads does not depend on the language.
func (r *Renderer) TrialRender(page string, data any) error {
	pt, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownTemplate, page)
	}
	bp, err := r.takePage(pt, binding{lang: r.defaultLang})
	if err != nil {
		return err
	}
	defer pt.copies.give(bp)
	if err := bp.tmpl.Execute(io.Discard, r.dryView(data)); err != nil {
		return fmt.Errorf("themes: %s.html (%s): %w", page, r.defaultLang, err)
	}
	return nil
}

// Templates returns the names of the pages the theme defines, sorted.
func (r *Renderer) Templates() []string {
	return sortedKeys(r.pages)
}

// Render writes page p. The page is rendered into a buffer first, so on error
// nothing has been written and the caller can still render an error page.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, p Page) error {
	pt, ok := r.pages[p.Template]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownTemplate, p.Template)
	}
	lang := r.match(p.Lang)
	if lang == "" {
		lang = r.NegotiateRequest(req, "", "")
	}
	b := sanitizeBranding(p.Branding, r.appName)
	overlay := r.overlay(req.Context(), b.Scope)
	lang = r.scopedLang(lang, overlay)
	v := view{Lang: lang, Dir: Dir(lang), Branding: b, Brand: strings.TrimPrefix(b.PrimaryColor, "#"), Data: p.Data}
	v.Picker = r.newPicker(req, p.Return, lang, offered(r.builtin.langs, overlay))
	if v.Data == nil {
		v.Data = map[string]any{}
	}
	bp, err := r.takePage(pt, binding{scope: bindScope(b.Scope, overlay), lang: lang})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = bp.tmpl.Execute(&buf, v)
	pt.copies.give(bp) // before the write, which waits on the client
	if err != nil {
		return fmt.Errorf("themes: render %s: %w", p.Template, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	// Pages carry per-request state (hints, hidden fields) and must not be
	// stored by shared caches or shown again from history after sign-out.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", DefaultCSP)
	}
	status := p.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, err = buf.WriteTo(w)
	return err
}
