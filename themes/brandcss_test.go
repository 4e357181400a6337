package themes

import (
	"strings"
	"testing"
)

func TestBrandVariablesFollowTheTheme(t *testing.T) {
	vars := BrandVariables()
	for name, kind := range map[string]BrandVarKind{"bg": BrandColor, "card": BrandColor, "text": BrandColor,
		"muted": BrandColor, "border": BrandColor, "error": BrandColor, "error-bg": BrandColor, "info-bg": BrandColor,
		"focus": BrandColor, "radius": BrandLength, "primary": BrandColor, "primary-contrast": BrandColor} {
		if vars[name] != kind {
			t.Errorf("%s: kind %v, want %v", name, vars[name], kind)
		}
	}
}

func TestBrandStylesheet(t *testing.T) {
	css, problems := BrandStylesheet(map[string]string{"bg": "#FFF", "text": "#111111", "radius": "4px"},
		map[string]string{"bg": "#000000", "primary": "#ffd700"}, ".card { border-width: 2px }")
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	want := ":root{--bg:#fff;--radius:4px;--text:#111111}\n" +
		"@media (prefers-color-scheme: dark){:root{--bg:#000000;--primary-contrast:#000000;--primary:#ffd700}}\n" +
		".card { border-width: 2px }\n"
	if css != want {
		t.Errorf("css:\n%s\nwant:\n%s", css, want)
	}
	if css, problems := BrandStylesheet(nil, nil, ""); css != "" || len(problems) > 0 {
		t.Errorf("empty: %q %v", css, problems)
	}
}

func TestBrandStylesheetRefusesBadValues(t *testing.T) {
	for _, c := range []struct {
		name        string
		colors      map[string]string
		dark        map[string]string
		field, want string
	}{
		{"unknown variable", map[string]string{"evil": "#fff"}, nil, "colors.evil", "not a variable"},
		{"colour as a word", map[string]string{"bg": "red"}, nil, "colors.bg", "#rgb"},
		{"colour breaking out", map[string]string{"bg": "#fff;}body{x:y"}, nil, "colors.bg", "#rgb"},
		{"four digits", nil, map[string]string{"bg": "#ffff"}, "dark_colors.bg", "#rgb"},
		{"radius too large", map[string]string{"radius": "33px"}, nil, "colors.radius", "0 to 32px"},
		{"radius in em", map[string]string{"radius": "1em"}, nil, "colors.radius", "0 to 32px"},
		{"radius negative", map[string]string{"radius": "-1px"}, nil, "colors.radius", "0 to 32px"},
		{"light primary", map[string]string{"primary": "#123456"}, nil, "colors.primary", "primary colour"},
	} {
		css, problems := BrandStylesheet(c.colors, c.dark, "")
		if css != "" || !strings.Contains(problems[c.field], c.want) {
			t.Errorf("%s: css %q, problems %v; want %s: %q", c.name, css, problems, c.field, c.want)
		}
	}
	_, problems := BrandStylesheet(map[string]string{"bg": "x", "text": "y"}, nil, "@import url(https://x.example/a.css);")
	if len(problems) != 3 {
		t.Errorf("all problems at once: %v", problems)
	}
}

func TestCheckExtraCSS(t *testing.T) {
	for _, c := range []struct {
		name, css, want string // want "" = accepted
	}{
		{"plain rules", ".card{border-radius:0} h1 { letter-spacing: .01em }", ""},
		{"media and custom properties", "@media (max-width: 400px){.card{padding:1rem}} :root{--x: 1px}", ""},
		{"https image", `.brand{background:url(https://cdn.example/bg.png) no-repeat}`, ""},
		{"quoted https image", `.brand{background:url( "https://cdn.example/bg.png" )}`, ""},
		{"data image", `.brand{background-image:url(data:image/png;base64,iVBORw0KGgo=)}`, ""},
		{"own font", `@font-face{font-family:Brand;src:url(/brand/abc) format("woff2")} body{font-family:Brand}`, ""},
		{"comment and strings", `/* brand */ .x::before{content:"\201C"}`, ""},
		{"keyframes", `@keyframes spin{from{opacity:0}to{opacity:1}}`, ""},
		{"words in class names", `.behavior-note, .expression-box{color:red}`, ""},
		{"escaped behavior", `.x{beh\61vior:url(x.htc)}`, "behavior"},

		{"import", `@import "https://evil.example/x.css";`, "@import is not allowed"},
		{"escaped import", `@\69mport "x.css";`, "@import is not allowed"},
		{"unknown at-rule", `@namespace svg url(http://www.w3.org/2000/svg);`, "not allowed"},
		{"http image", `.x{background:url(http://evil.example/a.png)}`, "https:"},
		{"relative image", `.x{background:url(a.png)}`, "https:"},
		{"quoted http image", `.x{background:url('http://evil.example/a.png')}`, "https:"},
		{"data non-image", `.x{background:url(data:text/html,hi)}`, "https:"},
		{"javascript url", `.x{background:url(javascript:alert(1))}`, "javascript"},
		{"escaped javascript", `.x{background:url("\6a avascript:alert(1)")}`, "javascript"},
		{"foreign font", `@font-face{font-family:F;src:url(https://fonts.example/f.woff2)}`, "fonts may only come"},
		{"data font", `@font-face{font-family:F;src:url(data:font/woff2;base64,AAAA)}`, "fonts may only come"},
		{"image after font-face", `@font-face{font-family:F;src:url(/brand/f)} .x{background:url(/a.png)}`, "https:"},
		{"expression", `.x{width:expression(alert(1))}`, "expression"},
		{"behavior", `.x{behavior:url(x.htc)}`, "behavior"},
		{"moz binding", `.x{-moz-binding:url(https://x.example/b.xml#x)}`, "-moz-binding"},
		{"image-set", `.x{background:image-set("https://x.example/a.png" 1x)}`, "image-set"},
		{"style end tag", `.x{color:red}</style><script>alert(1)</script>`, `"<"`},
		{"html comment", `<!-- .x{} -->`, `"<"`},
		{"unclosed brace", `.x{color:red`, "unbalanced braces"},
		{"extra brace", `.x{color:red}}`, "unbalanced braces"},
		{"unclosed comment", `.x{color:red} /* oops`, "unterminated comment"},
		{"unclosed string", `.x::before{content:"oops}`, "unterminated"},
		{"too large", strings.Repeat("a{}", MaxExtraCSS/3+1), "at most 32 KB"},
		{"invalid utf-8", "a{content:\"\xff\"}", "characters"},
	} {
		got := CheckExtraCSS(c.css)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// The console labels every brandable variable and its messages in words
// (admin/console/branding.go builds these keys): a variable added to
// app.css's :root needs its label here too.
func TestBrandingLabelsExist(t *testing.T) {
	for _, lang := range []string{"en", "de"} {
		cat := embeddedCatalog(t, lang)
		keys := []string{"admin.branding.too_large", "admin.branding.remove_logo", "admin.branding.remove_favicon"}
		for name := range BrandVariables() {
			keys = append(keys, "admin.branding.var."+name)
		}
		for _, k := range keys {
			if cat[k] == "" {
				t.Errorf("%s.json lacks %q", lang, k)
			}
		}
	}
}
