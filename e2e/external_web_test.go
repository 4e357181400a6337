//go:build e2e

package e2e

import (
	"cmp"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// webClient is the browser of the HTTP-level external sign-in cases: a
// cookie jar, redirects followed between the two Foyers, and never to the
// relying party (the test reads the code or error there itself) nor to a
// URL stop accepts (a test that tampers with a hop).
type webClient struct {
	t    *testing.T
	c    *http.Client
	stop func(*url.URL) bool
}

func newWebClient(t *testing.T, rpHost string) *webClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &webClient{t: t}
	w.c = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == rpHost || (w.stop != nil && w.stop(req.URL)) {
			return http.ErrUseLastResponse
		}
		if len(via) >= 20 {
			return errors.New("more than 20 redirects")
		}
		return nil
	}}
	return w
}

// webPage is a fetched answer: a page, or a redirect the client did not
// follow.
type webPage struct {
	status int
	url    *url.URL // where the answer came from
	body   string
	header http.Header
}

func (w *webClient) get(raw string) *webPage {
	w.t.Helper()
	req, err := http.NewRequestWithContext(w.t.Context(), http.MethodGet, raw, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.do(req)
}

// submit posts the form as a browser would after clicking its button:
// its inputs, changed by fields, and the button's own name and value.
func (w *webClient) submit(p *webPage, f *webForm, fields map[string]string) *webPage {
	w.t.Helper()
	values := url.Values{}
	for k, v := range f.values {
		values[k] = append([]string(nil), v...)
	}
	for k, v := range fields {
		values.Set(k, v)
	}
	if f.button.name != "" {
		values.Set(f.button.name, f.button.value)
	}
	target := p.url
	if u, err := url.Parse(f.action); err == nil {
		target = p.url.ResolveReference(u)
	}
	req, err := http.NewRequestWithContext(w.t.Context(), http.MethodPost, target.String(), strings.NewReader(values.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.url.Scheme+"://"+p.url.Host)
	return w.do(req)
}

func (w *webClient) do(req *http.Request) *webPage {
	w.t.Helper()
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatalf("read %s: %v", resp.Request.URL, err)
	}
	return &webPage{status: resp.StatusCode, url: resp.Request.URL, body: string(body), header: resp.Header}
}

// redirect is where a redirect the client did not follow points; nil for
// a page.
func (p *webPage) redirect() *url.URL {
	if p.status < 300 || p.status > 399 {
		return nil
	}
	loc, err := url.Parse(p.header.Get("Location"))
	if err != nil {
		return nil
	}
	return p.url.ResolveReference(loc)
}

// describe names the page for a failure message: status, address and its
// words (or where it redirects).
func (p *webPage) describe() string {
	if loc := p.redirect(); loc != nil {
		return p.url.String() + " answered " + http.StatusText(p.status) + " to " + loc.String()
	}
	text := visibleText(p.body)
	if len(text) > 700 {
		text = text[:700] + "…"
	}
	return p.url.String() + " answered " + http.StatusText(p.status) + ": " + text
}

// webForm is one form of a page and the button that submits it.
type webForm struct {
	action  string
	values  url.Values
	boxes   map[string]string // unchecked checkboxes: name → the value checking sends
	buttons []webButton
	button  webButton // the one to click
}

type webButton struct{ text, name, value, ariaLabel string }

// forms parses the page's forms: inputs with a name (checkboxes and
// radios only when checked), buttons with their visible text.
func (p *webPage) forms() []*webForm {
	doc, err := html.Parse(strings.NewReader(p.body))
	if err != nil {
		return nil
	}
	var out []*webForm
	var walk func(n *html.Node, f *webForm)
	walk = func(n *html.Node, f *webForm) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				f = &webForm{action: attrOf(n, "action"), values: url.Values{}, boxes: map[string]string{}}
				out = append(out, f)
			case "input":
				if f == nil || attrOf(n, "name") == "" {
					break
				}
				if inputSubmitted(n) {
					f.values.Add(attrOf(n, "name"), attrOf(n, "value"))
				} else if strings.EqualFold(attrOf(n, "type"), "checkbox") {
					f.boxes[attrOf(n, "name")] = cmp.Or(attrOf(n, "value"), "on")
				}
			case "button":
				if f != nil {
					f.buttons = append(f.buttons, webButton{text: strings.Join(strings.Fields(nodeText(n)), " "),
						name: attrOf(n, "name"), value: attrOf(n, "value"), ariaLabel: attrOf(n, "aria-label")})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f)
		}
	}
	walk(doc, nil)
	return out
}

func inputSubmitted(n *html.Node) bool {
	switch strings.ToLower(attrOf(n, "type")) {
	case "checkbox", "radio":
		return hasAttr(n, "checked")
	case "submit", "button", "image", "file", "reset":
		return false
	}
	return true
}

// formWithInput is the first form with an input named name.
func (p *webPage) formWithInput(name string) *webForm {
	for _, f := range p.forms() {
		if _, ok := f.values[name]; ok {
			if len(f.buttons) > 0 {
				f.button = f.buttons[0]
			}
			return f
		}
	}
	return nil
}

// formWithButton is the first form with a button whose visible text
// starts with prefix; that button is the one submit clicks.
func (p *webPage) formWithButton(prefix string) *webForm {
	for _, f := range p.forms() {
		for _, b := range f.buttons {
			if strings.HasPrefix(b.text, prefix) {
				f.button = b
				return f
			}
		}
	}
	return nil
}

// linkWithText is the href of the first link whose text starts with
// prefix, resolved against the page; "" when there is none.
func (p *webPage) linkWithText(prefix string) string {
	doc, err := html.Parse(strings.NewReader(p.body))
	if err != nil {
		return ""
	}
	var href string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if href != "" {
			return
		}
		if n.Type == html.ElementNode && n.Data == "a" &&
			strings.HasPrefix(strings.Join(strings.Fields(nodeText(n)), " "), prefix) {
			if u, err := url.Parse(attrOf(n, "href")); err == nil {
				href = p.url.ResolveReference(u).String()
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return href
}

// visibleText is the page's text without markup, scripts or styles.
func visibleText(body string) string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return body
	}
	return strings.Join(strings.Fields(nodeText(doc)), " ")
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "head") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
