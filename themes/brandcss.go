package themes

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// MaxExtraCSS caps an administrator's extra CSS: a brand's tweaks, not a
// second theme.
const MaxExtraCSS = 32 << 10

// BrandVarKind is what a brand variable's value must be.
type BrandVarKind int

const (
	// BrandColor is a colour, #rgb or #rrggbb.
	BrandColor BrandVarKind = iota + 1
	// BrandLength is a length in px from 0 to 32 (the corner radius).
	BrandLength
)

var (
	brandColorValue  = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	brandLengthValue = regexp.MustCompile(`^(?:0|\d{1,2}(?:\.\d{1,2})?px)$`)
	rootBlock        = regexp.MustCompile(`(?s):root\s*\{(.*?)\}`)
	rootVariable     = regexp.MustCompile(`--([a-z][a-z0-9-]*)\s*:\s*([^;]+);`)
)

// BrandVariables are the custom properties a brand may set: those of the
// default theme's :root (static/app.css), each with the kind its default
// value has. Reading them from the stylesheet keeps the two in step when
// the theme gains a variable.
func BrandVariables() map[string]BrandVarKind {
	out := map[string]BrandVarKind{}
	for name, val := range BrandDefaults() {
		switch {
		case brandColorValue.MatchString(val):
			out[name] = BrandColor
		case brandLengthValue.MatchString(val):
			out[name] = BrandLength
		}
	}
	return out
}

// BrandDefaults are the default theme's values of its :root custom
// properties, by name without "--" (the console's colour pickers start
// there).
func BrandDefaults() map[string]string {
	out := map[string]string{}
	src, err := defaultFS.ReadFile("default/static/app.css")
	if err != nil {
		return out
	}
	m := rootBlock.FindSubmatch(src)
	if m == nil {
		return out
	}
	for _, v := range rootVariable.FindAllSubmatch(m[1], -1) {
		out[string(v[1])] = strings.TrimSpace(string(v[2]))
	}
	return out
}

// BrandStylesheet builds a brand's stylesheet: the light colours on :root,
// the dark ones in a prefers-color-scheme: dark block, then the extra
// CSS. Problems are keyed "colors.NAME", "dark_colors.NAME" and
// "extra_css"; css is "" when there are any. "primary" is the primary
// colour field's, so only the dark scheme may set it here.
func BrandStylesheet(colors, dark map[string]string, extra string) (string, map[string]string) {
	problems := map[string]string{}
	vars := BrandVariables()
	light := brandDeclarations(problems, "colors", colors, vars, true)
	darkDecl := brandDeclarations(problems, "dark_colors", dark, vars, false)
	if _, ok := dark["primary"]; ok && dark["primary-contrast"] == "" && problems["dark_colors.primary"] == "" {
		// A dark primary needs readable button text; work it out as
		// brand.css does for the light one.
		darkDecl = append(darkDecl, "--primary-contrast:"+contrastColor(expandHex(dark["primary"])[1:]))
		slices.Sort(darkDecl)
	}
	if msg := CheckExtraCSS(extra); msg != "" {
		problems["extra_css"] = msg
	}
	if len(problems) > 0 {
		return "", problems
	}
	var b strings.Builder
	if len(light) > 0 {
		fmt.Fprintf(&b, ":root{%s}\n", strings.Join(light, ";"))
	}
	if len(darkDecl) > 0 {
		fmt.Fprintf(&b, "@media (prefers-color-scheme: dark){:root{%s}}\n", strings.Join(darkDecl, ";"))
	}
	if extra = strings.TrimSpace(extra); extra != "" {
		b.WriteString(extra)
		b.WriteString("\n")
	}
	return b.String(), nil
}

// brandDeclarations checks one scheme's values and returns them as sorted
// declarations.
func brandDeclarations(problems map[string]string, field string, values map[string]string, vars map[string]BrandVarKind, light bool) []string {
	var out []string
	for name, v := range values {
		key := field + "." + name
		v = strings.TrimSpace(v)
		kind, ok := vars[name]
		switch {
		case light && name == "primary":
			problems[key] = "set the primary colour in its own field"
		case !ok:
			problems[key] = "not a variable of the theme; one of " + strings.Join(sortedNames(vars), ", ")
		case kind == BrandColor && !brandColorValue.MatchString(v):
			problems[key] = "a colour as #rgb or #rrggbb"
		case kind == BrandLength && !validLength(v):
			problems[key] = "a length from 0 to 32px, e.g. 8px"
		case kind == BrandColor:
			out = append(out, "--"+name+":"+strings.ToLower(v))
		default:
			out = append(out, "--"+name+":"+v)
		}
	}
	slices.Sort(out)
	return out
}

func validLength(v string) bool {
	if !brandLengthValue.MatchString(v) {
		return false
	}
	n, err := strconv.ParseFloat(strings.TrimSuffix(v, "px"), 64)
	return err == nil && n <= 32
}

func expandHex(c string) string {
	c = strings.ToLower(c)
	if len(c) == 4 {
		return "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	return c
}

func sortedNames(vars map[string]BrandVarKind) []string {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// allowedAtRules are the at-rules extra CSS may use; @import (another
// origin's stylesheet) and anything unknown are refused.
var allowedAtRules = []string{"@media", "@supports", "@keyframes", "@font-face", "@layer", "@container"}

// forbiddenWords are script protocols and IE's expression(), looked for
// in every token after CSS escapes are decoded; forbiddenProperties are
// the old properties that bind scripts, refused as identifiers (so a
// class such as .behavior-note stays allowed).
var (
	forbiddenWords      = []string{"javascript:", "vbscript:", "expression("}
	forbiddenProperties = []string{"behavior", "-ms-behavior", "-moz-binding"}
)

// CheckExtraCSS returns why an administrator's extra CSS is refused, or "".
// The stylesheet is served same-origin under the page CSP (themes/doc.go),
// so what that CSP would block is refused here rather than left to fail
// in the browser: other origins' stylesheets (@import), images that are
// not https: or data:image/ (img-src), fonts not served by Foyer itself
// (font-src falls back to default-src 'self'), and old script hooks. "<"
// is refused outright so the text can never close a <style> element if
// it is ever inlined.
func CheckExtraCSS(src string) string {
	switch {
	case len(src) > MaxExtraCSS:
		return fmt.Sprintf("at most %d KB", MaxExtraCSS>>10)
	case !utf8.ValidString(src) || strings.ContainsRune(src, 0):
		return "contains characters that are not allowed"
	case strings.Contains(src, "<"):
		return `"<" is not allowed`
	}
	c := cssChecker{l: css.NewLexer(parse.NewInput(bytes.NewBufferString(src)))}
	return c.run()
}

type cssChecker struct {
	l        *css.Lexer
	braces   int
	fontFace int // brace depth of the open @font-face block, 0 for none
	atRule   string
}

func (c *cssChecker) run() string {
	for {
		tt, raw := c.l.Next()
		if tt == css.ErrorToken {
			if c.braces != 0 {
				return "unbalanced braces"
			}
			return ""
		}
		if msg := c.token(tt, string(raw)); msg != "" {
			return msg
		}
	}
}

func (c *cssChecker) token(tt css.TokenType, raw string) string {
	text := strings.ToLower(cssUnescape(raw))
	for _, w := range forbiddenWords {
		if strings.Contains(text, w) {
			return fmt.Sprintf("%q is not allowed", strings.TrimSuffix(w, ":"))
		}
	}
	if tt == css.IdentToken && slices.Contains(forbiddenProperties, text) {
		return fmt.Sprintf("%q is not allowed", text)
	}
	switch tt {
	case css.CommentToken:
		if len(raw) < 4 || !strings.HasSuffix(raw, "*/") {
			return "unterminated comment"
		}
	case css.BadStringToken, css.BadURLToken:
		return "unterminated string or url()"
	case css.StringToken:
		if len(raw) < 2 || raw[len(raw)-1] != raw[0] {
			return "unterminated string"
		}
	case css.AtKeywordToken:
		if !slices.Contains(allowedAtRules, text) {
			return fmt.Sprintf("%s is not allowed; use one of %s", text, strings.Join(allowedAtRules, ", "))
		}
		c.atRule = text
	case css.LeftBraceToken:
		c.braces++
		if c.atRule == "@font-face" {
			c.fontFace = c.braces
		}
		c.atRule = ""
	case css.RightBraceToken:
		if c.braces == c.fontFace {
			c.fontFace = 0
		}
		if c.braces--; c.braces < 0 {
			return "unbalanced braces"
		}
	case css.SemicolonToken:
		c.atRule = ""
	case css.URLToken:
		return c.url(urlTokenValue(text))
	case css.FunctionToken:
		return c.function(text)
	}
	return ""
}

// function checks a function token; url("...") carries its address in the
// string token that follows.
func (c *cssChecker) function(name string) string {
	switch name {
	case "url(":
		for {
			tt, raw := c.l.Next()
			switch tt {
			case css.WhitespaceToken:
				continue
			case css.StringToken:
				if msg := c.token(tt, string(raw)); msg != "" {
					return msg
				}
				s := cssUnescape(string(raw))
				return c.url(s[1 : len(s)-1])
			default:
				return "url() needs an address"
			}
		}
	case "src(", "image-set(", "-webkit-image-set(", "image(", "element(", "cross-fade(":
		return fmt.Sprintf("%s) is not allowed; use url()", strings.TrimSuffix(name, "("))
	}
	return ""
}

// url checks an address against the CSP: images may be https: or
// data:image/, fonts only Foyer's own paths.
func (c *cssChecker) url(addr string) string {
	addr = strings.TrimSpace(addr)
	lower := strings.ToLower(addr)
	if c.fontFace > 0 {
		if strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "//") && !strings.Contains(addr, `\`) {
			return ""
		}
		return "fonts may only come from Foyer itself (a path such as /brand/...)"
	}
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "data:image/") {
		return ""
	}
	return "url() must be an https: address or a data:image/ URL"
}

// urlTokenValue is the address of an unquoted url(...) token.
func urlTokenValue(tok string) string {
	tok = strings.TrimSuffix(tok, ")")
	if i := strings.IndexByte(tok, '('); i >= 0 {
		tok = tok[i+1:]
	}
	tok = strings.TrimSpace(tok)
	if len(tok) >= 2 && (tok[0] == '"' || tok[0] == '\'') && tok[len(tok)-1] == tok[0] {
		tok = tok[1 : len(tok)-1]
	}
	return tok
}

// cssUnescape decodes CSS escapes (\61 or \a), so that an escaped
// "javascript:" or "@import" is judged as what the browser reads.
func cssUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		j := i + 1
		for j < len(s) && j < i+7 && isHex(s[j]) {
			j++
		}
		if j == i+1 {
			b.WriteByte(s[j])
			i = j
			continue
		}
		n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
		if n == 0 || n > utf8.MaxRune {
			n = utf8.RuneError
		}
		b.WriteRune(rune(n))
		if j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
			j++
		}
		i = j - 1
	}
	return b.String()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
