package themes

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LanguageCookie holds the language a customer picked in the footer. It
// names a language, nothing else, so it needs no signature.
const LanguageCookie = "foyer_lang"

// languageCookieAge keeps the choice for a year.
const languageCookieAge = 365 * 24 * 60 * 60

// rtlScripts are the scripts written right to left that x/text may infer
// for a language (Arabic, Hebrew, Thaana, Syriac, N'Ko, Adlam, Hanifi
// Rohingya, Mandaic, Samaritan).
var rtlScripts = map[string]bool{
	"Arab": true, "Hebr": true, "Thaa": true, "Syrc": true, "Nkoo": true,
	"Adlm": true, "Rohg": true, "Mand": true, "Samr": true,
}

// Dir is the writing direction of lang for the HTML dir attribute: "rtl"
// for languages written in a right-to-left script (ar, he, fa, ur, ...,
// or an explicit script such as "az-Arab"), else "ltr".
func Dir(lang string) string {
	t, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	if s, _ := t.Script(); rtlScripts[s.String()] {
		return "rtl"
	}
	return "ltr"
}

// LanguageName is lang's name in lang itself ("Français", "日本語",
// "العربية"), capitalised as it would start a list entry; the tag itself
// when x/text has no name for it.
func LanguageName(lang string) string {
	t, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	name := display.Self.Name(t)
	if name == "" {
		return lang
	}
	first, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(first)) + name[size:]
}

// picker is the footer's language form.
type picker struct {
	Action  string // LanguageHandler's path
	Return  string // where to come back to: this page's local URL
	Options []pickerOption
}

type pickerOption struct {
	Tag, Name, Dir string
	Selected       bool
}

// newPicker offers langs for a page in lang, or nil when there is nothing
// to choose. It comes back to ret (Page.Return), else to the request's
// URL.
func (r *Renderer) newPicker(req *http.Request, ret, lang string, langs []string) *picker {
	if len(langs) < 2 || req == nil {
		return nil
	}
	p := &picker{Action: r.pickerPath, Return: "/"}
	if ret == "" {
		// A page shown after a form post names its GET in Page.Return;
		// otherwise the request's URL is the page's.
		ret = req.URL.RequestURI()
	}
	if localPath(ret) {
		p.Return = ret
	}
	for _, l := range langs {
		p.Options = append(p.Options, pickerOption{Tag: l, Name: LanguageName(l), Dir: Dir(l), Selected: l == lang})
	}
	return p
}

// NegotiateRequest chooses the page language for req: the language the
// customer picked in the footer (LanguageCookie), then the OIDC ui_locales
// (space-separated, in preference order), then the account's language,
// then Accept-Language by q-value, then the default language. Every page
// that negotiates should call it so the order is the same everywhere.
//
// The pick comes before ui_locales because it is the customer's own
// choice made on these very pages, where ui_locales is the relying
// party's guess: a sign-in started with ui_locales=fr keeps ui_locales for
// every step, and a picker ranked after it could never change the page.
func (r *Renderer) NegotiateRequest(req *http.Request, uiLocales, accountLanguage string) string {
	var candidates []string
	if c, err := req.Cookie(LanguageCookie); err == nil {
		candidates = append(candidates, c.Value)
	}
	candidates = append(candidates, strings.Fields(uiLocales)...)
	candidates = append(candidates, accountLanguage)
	return r.negotiate(candidates, req.Header.Get("Accept-Language"))
}

// LanguageHandler answers the footer's picker, GET ?lang=TAG&return=PATH:
// it remembers lang in LanguageCookie and redirects to return, which must
// be a local path (anything else goes to "/": no open redirect). An
// unknown language changes nothing.
func (r *Renderer) LanguageHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		target := req.URL.Query().Get("return")
		if !localPath(target) {
			target = "/"
		}
		if lang := r.match(req.URL.Query().Get("lang")); lang != "" {
			http.SetCookie(w, &http.Cookie{
				Name: LanguageCookie, Value: lang, Path: "/", MaxAge: languageCookieAge,
				HttpOnly: true, Secure: r.secure, SameSite: http.SameSiteLaxMode,
			})
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, req, target, http.StatusSeeOther) //nolint:gosec // G710: target is a local path (localPath) or "/"
	})
}

// localPath reports whether s is a path on this origin: it starts with one
// "/", and neither "//" nor "/\" (which browsers read as another host), nor
// control characters, nor anything that parses with a scheme or host.
func localPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\") {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}
