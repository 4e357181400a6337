package selfservicetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"foyer/selfservice/session"
	"foyer/selfservice/session/sessiontest"
)

// Browser is a cookie-keeping user agent with a browser cookie of its own
// (session.BrowserCookieName), so interactions created for it are its
// own. It follows redirects within the server, the resume stub included.
type Browser struct {
	*http.Client
	t       testing.TB
	binding string
	ip      string // claimed client address; "" for the real one
}

// Browser returns a new browser for the server.
func (e *Env) Browser(t testing.TB) *Browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	value := base64.RawURLEncoding.EncodeToString(raw)
	u, _ := url.Parse(e.Server.URL)
	// Signed as BindBrowser signs it (securecookie, stamped now).
	signed := sessiontest.SignedAt(key(sessionCookies), session.BrowserCookieName, []byte(value), time.Now())
	jar.SetCookies(u, []*http.Cookie{{Name: session.BrowserCookieName, Value: signed, Path: "/"}})
	sum := sha256.Sum256([]byte(value))
	host := u.Host
	b := &Browser{t: t, binding: hex.EncodeToString(sum[:])}
	b.Client = &http.Client{
		Jar:       jar,
		Transport: fromAddress{b},
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Host != host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return b
}

// From makes the browser's requests come from the client address ip
// (ClientIPHeader); it returns b.
func (b *Browser) From(ip string) *Browser {
	b.ip = ip
	return b
}

// fromAddress adds the browser's claimed address to each request.
type fromAddress struct{ b *Browser }

func (f fromAddress) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.b.ip != "" {
		req = req.Clone(req.Context())
		req.Header.Set(ClientIPHeader, f.b.ip)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// Binding is what an interaction this browser started keeps
// (storage.Interaction.Browser).
func (b *Browser) Binding() string { return b.binding }

// Page is a fetched page.
type Page struct {
	Status int
	URL    *url.URL // where the browser ended up
	Body   string
	Resp   *http.Response
}

// Get fetches rawURL.
func (b *Browser) Get(rawURL string) *Page {
	b.t.Helper()
	resp, err := b.Client.Get(rawURL)
	if err != nil {
		b.t.Fatalf("GET %s: %v", rawURL, err)
	}
	return readPage(b.t, resp)
}

// Submit posts the page's first form with its inputs' values, changed by
// fields.
func (b *Browser) Submit(p *Page, fields map[string]string) *Page {
	b.t.Helper()
	action, values := Form(b.t, p.Body)
	for k, v := range fields {
		values.Set(k, v)
	}
	return b.Post(p.URL, action, values)
}

// Post posts values to action, resolved against the page URL base.
func (b *Browser) Post(base *url.URL, action string, values url.Values) *Page {
	b.t.Helper()
	target := base
	if u, err := url.Parse(action); err == nil {
		target = base.ResolveReference(u)
	}
	req, _ := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base.Scheme+"://"+base.Host)
	resp, err := b.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", target, err)
	}
	return readPage(b.t, resp)
}

func readPage(t testing.TB, resp *http.Response) *Page {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return &Page{Status: resp.StatusCode, URL: resp.Request.URL, Body: string(body), Resp: resp}
}

// Has reports whether the page holds an input named name.
func (p *Page) Has(name string) bool { return strings.Contains(p.Body, `name="`+name+`"`) }

// Alert is the page-level message of a page (its role="alert" block).
func (p *Page) Alert() string {
	i := strings.Index(p.Body, `role="alert"`)
	if i < 0 {
		return ""
	}
	rest := p.Body[i:]
	if j := strings.Index(rest, "</div>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// Form returns the first form's action and its input values.
func Form(t testing.TB, body string) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	var action string
	found := false
	values := url.Values{}
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode && n.Data == "form" && !found {
			found, inForm = true, true
			action = attr(n, "action")
		}
		if inForm && n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			values.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, false)
	if !found {
		t.Fatalf("no form in page:\n%s", body)
	}
	return action, values
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func encode(q map[string][]string) string { return url.Values(q).Encode() }
