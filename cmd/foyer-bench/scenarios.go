package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/html"
)

const (
	requestTimeout = 30 * time.Second
	// maxHops bounds the redirects and form posts of one sign-in; the real
	// flow needs five.
	maxHops = 12
	// prepareTimeout bounds code preparation; codes live five minutes, so
	// preparation must leave time to exchange them.
	prepareTimeout = 2 * time.Minute
)

// target is a running server and the client and account the scenarios use.
type target struct {
	backend      string
	issuer       string
	clientID     string
	clientSecret string
	redirectURI  string
	accounts     []account // one per connection
	transport    *http.Transport
	serverPID    int // for the CPU it uses (cpu.go); 0 when unknown
}

// account is one user the scenarios sign in as.
type account struct{ email, password string }

// iteration is one unit of work of one worker; stop ends that worker
// without recording anything (used when the prepared codes run out).
type iteration func(ctx context.Context) (stop bool, err error)

// runLoad runs conns workers, each calling its iteration back to back until
// d has passed, and records the latency of every successful iteration.
func runLoad(ctx context.Context, t *target, scenario string, conns int, d time.Duration,
	newIteration func(worker int) iteration) result {
	deadline := time.Now().Add(d)
	recs := make([]*recorder, conns)
	var wg sync.WaitGroup
	began := time.Now()
	for w := range conns {
		rec := &recorder{}
		recs[w] = rec
		it := newIteration(w)
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				stop, err := it(ctx)
				switch {
				case stop, ctx.Err() != nil: // interrupted: not the server's fault
					return
				case err != nil:
					rec.fail(err)
				default:
					rec.ok(time.Since(t0))
				}
			}
		})
	}
	wg.Wait()
	res := result{backend: t.backend, scenario: scenario, conns: conns, elapsed: time.Since(began)}
	res.merge(recs)
	return res
}

// httpClient shares the keep-alive transport; it never follows redirects,
// so each hop of a sign-in is checked (and timed) on its own.
func (t *target) httpClient(jar http.CookieJar) *http.Client {
	return &http.Client{
		Transport:     t.transport,
		Jar:           jar,
		Timeout:       requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// clientCredentials is scenario a: one token request per iteration.
func (t *target) clientCredentials() iteration {
	c := t.httpClient(nil)
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	return func(ctx context.Context) (bool, error) {
		body, err := t.token(ctx, c, form)
		if err != nil {
			return false, err
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
			return false, fmt.Errorf("POST /oauth2/token: 200 without access_token: %s", snippet(body))
		}
		return false, nil
	}
}

// authCode is a prepared authorization code and its PKCE verifier.
type authCode struct{ code, verifier string }

// exchange is scenario b: one code exchange per iteration, which must yield
// an RS256-signed ID token.
func (t *target) exchange(codes <-chan authCode) iteration {
	c := t.httpClient(nil)
	return func(ctx context.Context) (bool, error) {
		var ac authCode
		select {
		case ac = <-codes:
		default:
			return true, nil
		}
		form := url.Values{
			"grant_type":    {"authorization_code"},
			"code":          {ac.code},
			"redirect_uri":  {t.redirectURI},
			"code_verifier": {ac.verifier},
		}.Encode()
		body, err := t.token(ctx, c, form)
		if err != nil {
			return false, err
		}
		var tok struct {
			IDToken string `json:"id_token"`
		}
		if err := json.Unmarshal(body, &tok); err != nil || tok.IDToken == "" {
			return false, fmt.Errorf("POST /oauth2/token: 200 without id_token: %s", snippet(body))
		}
		if alg := jwtAlg(tok.IDToken); alg != "RS256" {
			return false, fmt.Errorf("id_token signed with %q, want RS256", alg)
		}
		return false, nil
	}
}

// prepareCodes signs in once per worker (a browser with its own cookie jar)
// and then runs authorization requests on those SSO sessions until n codes
// exist. The returned result times the session-backed authorizations.
func (t *target) prepareCodes(ctx context.Context, conns, n int) (chan authCode, result, error) {
	browsers := make([]*browser, conns)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for w := range conns {
		browsers[w] = t.newBrowser(w)
		wg.Go(func() { _, errs[w] = browsers[w].signIn(ctx, true) })
	}
	wg.Wait()
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			failed++
			first = cmp.Or(first, err)
		}
	}
	if failed > 0 {
		return nil, result{}, fmt.Errorf("%d of %d initial sign-ins failed, the first with: %w", failed, conns, first)
	}
	codes := make(chan authCode, n)
	var attempts atomic.Int64
	res := runLoad(ctx, t, "authorize_with_sso_session", conns, prepareTimeout, func(w int) iteration {
		return func(ctx context.Context) (bool, error) {
			if attempts.Add(1) > int64(n) {
				return true, nil
			}
			ac, err := browsers[w].signIn(ctx, false)
			if err != nil {
				return false, err
			}
			codes <- ac // never blocks: at most n attempts
			return false, nil
		}
	})
	res.note = fmt.Sprintf("preparation: %d codes for the exchange", len(codes))
	return codes, res, nil
}

// passwordLogin is scenario c: a complete sign-in from a fresh cookie jar
// per iteration, counted when the redirect with the code arrives.
func (t *target) passwordLogin(worker int) iteration {
	return func(ctx context.Context) (bool, error) {
		_, err := t.newBrowser(worker).signIn(ctx, true)
		return false, err
	}
}

// token posts form to the token endpoint with client_secret_basic and
// returns the body of a 200 response.
func (t *target) token(ctx context.Context, c *http.Client, form string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.issuer+"/oauth2/token", strings.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 section 2.3.1: form-encode the credentials before Basic.
	req.SetBasicAuth(url.QueryEscape(t.clientID), url.QueryEscape(t.clientSecret))
	r, err := do(c, req)
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, statusError(req, r)
	}
	return r.body, nil
}

// browser is one simulated user agent with its own cookie jar.
type browser struct {
	t    *target
	c    *http.Client
	user account
}

// newBrowser is a fresh user agent for the worker's account.
func (t *target) newBrowser(worker int) *browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &browser{t: t, c: t.httpClient(jar), user: t.accounts[worker%len(t.accounts)]}
}

var errLoginShown = errors.New("login page shown although the browser has an SSO session")

// signIn runs one authorization request to the redirect that carries the
// code, filling in the identifier and password pages on the way. With
// allowLogin false a login page is an error: the SSO session should skip it.
func (b *browser) signIn(ctx context.Context, allowLogin bool) (authCode, error) {
	verifier := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	challenge := sha256.Sum256([]byte(verifier))
	state := randomHex(8)
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {b.t.clientID},
		"redirect_uri":          {b.t.redirectURI},
		"scope":                 {"openid offline_access"},
		"state":                 {state},
		"nonce":                 {randomHex(8)},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.t.issuer+"/oauth2/auth?"+q.Encode(), nil)
	if err != nil {
		return authCode{}, err
	}
	for range maxHops {
		r, err := do(b.c, req)
		if err != nil {
			return authCode{}, err
		}
		switch {
		case r.status == http.StatusFound || r.status == http.StatusSeeOther:
			loc, err := req.URL.Parse(r.header.Get("Location"))
			if err != nil || r.header.Get("Location") == "" {
				return authCode{}, fmt.Errorf("%s: status %d without a usable Location", describe(req), r.status)
			}
			if strings.HasPrefix(loc.String(), b.t.redirectURI) {
				return codeFrom(loc, state, verifier)
			}
			if !strings.HasPrefix(loc.String(), b.t.issuer+"/") {
				return authCode{}, fmt.Errorf("%s: redirected off the issuer to %s", describe(req), loc)
			}
			if req, err = http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil); err != nil {
				return authCode{}, err
			}
		case r.status == http.StatusOK && strings.HasPrefix(r.header.Get("Content-Type"), "text/html"):
			if !allowLogin {
				return authCode{}, fmt.Errorf("%s: %w", describe(req), errLoginShown)
			}
			if req, err = b.loginPost(ctx, req.URL, r.body); err != nil {
				return authCode{}, fmt.Errorf("%s: %w", describe(req), err)
			}
		default:
			return authCode{}, statusError(req, r)
		}
	}
	return authCode{}, fmt.Errorf("no code redirect after %d hops", maxHops)
}

// loginPost fills in the login form of page: the identifier step or the
// password step, whichever the page shows.
func (b *browser) loginPost(ctx context.Context, page *url.URL, body []byte) (*http.Request, error) {
	f, err := parseForm(body)
	if err != nil {
		return nil, err
	}
	if f.errorText != "" {
		return nil, fmt.Errorf("page shows an error: %q", f.errorText)
	}
	switch {
	case f.has("password"):
		f.values.Set("password", b.user.password)
	case f.has("identifier"):
		f.values.Set("identifier", b.user.email)
	default:
		return nil, fmt.Errorf("form has neither identifier nor password field: %v", f.names)
	}
	action, err := page.Parse(f.action)
	if err != nil {
		return nil, fmt.Errorf("form action %q: %w", f.action, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(f.values.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.t.issuer) // same-origin, as a browser would send
	return req, nil
}

// codeFrom checks the redirect to the client and returns its code.
func codeFrom(loc *url.URL, state, verifier string) (authCode, error) {
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return authCode{}, fmt.Errorf("authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return authCode{}, fmt.Errorf("redirect state %q, want %q", q.Get("state"), state)
	}
	if q.Get("code") == "" {
		return authCode{}, fmt.Errorf("redirect without a code: %s", loc)
	}
	return authCode{code: q.Get("code"), verifier: verifier}, nil
}

// form is the first POST form of a page.
type form struct {
	action    string
	values    url.Values
	names     []string
	errorText string // the text of an alert or field error, if any
}

func (f *form) has(name string) bool {
	for _, n := range f.names {
		if n == name {
			return true
		}
	}
	return false
}

func parseForm(body []byte) (*form, error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	f := &form{values: url.Values{}}
	inForm := false
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		class := attr(n, "class")
		if strings.Contains(class, "alert-error") || strings.Contains(class, "field-error") {
			f.errorText = strings.TrimSpace(textOf(n))
		}
		switch {
		case n.Data == "form" && strings.EqualFold(attr(n, "method"), "post") && !inForm:
			inForm = true
			f.action = attr(n, "action")
		case n.Data == "input" && inForm && attr(n, "name") != "":
			f.names = append(f.names, attr(n, "name"))
			f.values.Set(attr(n, "name"), attr(n, "value"))
		}
	}
	if !inForm {
		return nil, errors.New("page has no POST form")
	}
	return f, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var sb strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			sb.WriteString(d.Data)
		}
	}
	return sb.String()
}

// reply is a response whose body has been read and closed.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends req and reads the whole body, so the connection is reused.
func do(c *http.Client, req *http.Request) (*reply, error) {
	resp, err := c.Do(req)
	if err != nil {
		// Drop the URL (with its one-off query) so errors aggregate.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s: %w", describe(req), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: read body: %w", describe(req), err)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// describe names a request without its query, so errors aggregate.
func describe(req *http.Request) string { return req.Method + " " + req.URL.Path }

func statusError(req *http.Request, r *reply) error {
	return fmt.Errorf("%s: status %d: %s", describe(req), r.status, snippet(r.body))
}

// snippet is the start of a body on one line.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

// jwtAlg returns the alg of a compact JWS header.
func jwtAlg(token string) string {
	header, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	_ = json.Unmarshal(raw, &h)
	return h.Alg
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
