package partnerlookup

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"foyer/storage"
)

// Timeouts of one lookup: DefaultTimeout when the configuration names
// none, never more than MaxTimeout, because a person is waiting on the
// registration form.
const (
	DefaultTimeout = 5 * time.Second
	MaxTimeout     = 10 * time.Second
)

// MaxCodeBytes bounds the code sent to a webhook; Foyer's own codes are 24.
const MaxCodeBytes = 200

// Store is what Client reads: the application's webhook.
type Store interface {
	GetPartnerLookup(ctx context.Context, applicationID string) (*storage.PartnerLookup, error)
}

// Opener opens a webhook secret sealed (storage/seal) to its application;
// cmd/foyer's partner lookup sealer, which the admin side seals with, is
// one.
type Opener interface {
	OpenPartnerLookupSecret(applicationID string, sealed []byte) ([]byte, error)
}

// Client resolves partner codes through the application's webhook. It is
// safe for concurrent use.
type Client struct {
	store  Store
	opener Opener
	http   *http.Client
	log    *slog.Logger
	now    func() time.Time

	allowHTTP     bool
	allowLoopback bool
	rootCAs       *x509.CertPool
}

var _ PartnerResolver = (*Client)(nil)

// Option configures a Client.
type Option func(*Client)

// WithLogger logs failed lookups (never the code or the secret) to log.
func WithLogger(log *slog.Logger) Option { return func(c *Client) { c.log = log } }

// WithClock sets the clock the request's timestamp is taken from.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithRootCAs trusts pool instead of the system's roots (tests, private
// CAs).
func WithRootCAs(pool *x509.CertPool) Option { return func(c *Client) { c.rootCAs = pool } }

// AllowHTTP lets webhooks use plain http:// URLs. For development and
// tests only: over http the code travels in clear text.
func AllowHTTP() Option { return func(c *Client) { c.allowHTTP = true } }

// AllowLoopback lets the guard dial loopback addresses (127.0.0.0/8,
// ::1), where test servers listen. Tests only; private and link-local
// addresses stay refused.
func AllowLoopback() Option { return func(c *Client) { c.allowLoopback = true } }

// New returns a Client reading webhooks from store and opening their
// secrets with opener.
func New(store Store, opener Opener, opts ...Option) *Client {
	c := &Client{store: store, opener: opener, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.http = &http.Client{
		Transport: guardedTransport(c.allowLoopback, c.rootCAs),
		// A redirect is an answer we do not accept: following it would
		// let the webhook send us (and the signed code) anywhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// ResolvePartner asks applicationID's webhook who code belongs to. An
// application without a webhook, or a webhook answering 404, is
// ErrPartnerUnknown; every other failure is ErrPartnerLookupFailed,
// wrapped with its reason and logged.
func (c *Client) ResolvePartner(ctx context.Context, applicationID, code string) (*PartnerDetails, error) {
	// No partner's code is blank or this long: do not pass such input on.
	if code = strings.TrimSpace(code); code == "" || len(code) > MaxCodeBytes {
		return nil, fmt.Errorf("%w: blank or longer than %d bytes", ErrPartnerUnknown, MaxCodeBytes)
	}
	l, err := c.store.GetPartnerLookup(ctx, applicationID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: the application has no partner lookup webhook", ErrPartnerUnknown)
	}
	if err != nil {
		return nil, c.failed(ctx, applicationID, fmt.Errorf("read the webhook: %w", err))
	}
	details, err := c.call(ctx, l, code)
	if err != nil && !errors.Is(err, ErrPartnerUnknown) {
		return nil, c.failed(ctx, applicationID, err)
	}
	return details, err
}

func (c *Client) failed(ctx context.Context, applicationID string, reason error) error {
	c.log.WarnContext(ctx, "partner lookup failed", "application_id", applicationID, "err", reason)
	return fmt.Errorf("%w: %w", ErrPartnerLookupFailed, reason)
}

// request is the webhook's JSON body.
type request struct {
	Code          string `json:"code"`
	ApplicationID string `json:"application_id"`
	Timestamp     int64  `json:"timestamp"`
}

// call POSTs code to l's URL and reads the answer.
func (c *Client) call(ctx context.Context, l *storage.PartnerLookup, code string) (*PartnerDetails, error) {
	if err := c.checkURL(l.URL); err != nil {
		return nil, err
	}
	secret, err := c.opener.OpenPartnerLookupSecret(l.ApplicationID, l.SecretSealed)
	if err != nil {
		return nil, fmt.Errorf("the webhook secret does not open: %w", err)
	}
	now := c.now()
	body, err := json.Marshal(request{Code: code, ApplicationID: l.ApplicationID, Timestamp: now.Unix()})
	if err != nil {
		return nil, fmt.Errorf("encode the request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout(l.Timeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Foyer partner lookup")
	req.Header.Set(SignatureHeader, Sign(secret, now, body))
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error repeats the URL, whose query may hold an API key
		// the operator put there: keep only the cause.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("POST: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	return readAnswer(resp)
}

// checkURL accepts absolute https URLs (http too with AllowHTTP) without
// credentials. The admin side validates the same on input; this is the
// last line, for rows written some other way.
func (c *Client) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("the webhook URL does not parse")
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !c.allowHTTP) {
		return fmt.Errorf("the webhook URL's scheme %q is not https", u.Scheme)
	}
	if u.Host == "" || u.User != nil {
		return errors.New("the webhook URL needs a host and no credentials")
	}
	return nil
}

func timeout(configured time.Duration) time.Duration {
	switch {
	case configured <= 0:
		return DefaultTimeout
	case configured > MaxTimeout:
		return MaxTimeout
	}
	return configured
}
