package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"foyer/storage"
	"foyer/storage/seal"
)

// ErrNoSession means the request carries no valid SSO session.
var ErrNoSession = errors.New("session: no valid session")

// CookieName is the SSO session cookie's base name (see Cookies: on an
// https issuer it is sent as "__Host-foyer_session").
const CookieName = "foyer_session"

// touchEvery bounds how often a session's last-seen time is written: every
// request would turn each page view into a write.
const touchEvery = time.Minute

// Store is what the manager needs from storage. Ending a session also
// reads the clients that took part in it and queues their back-channel
// logout notices, in the transaction that deletes the session.
type Store interface {
	storage.Transactor
	CreateSession(ctx context.Context, s *storage.Session) error
	GetSession(ctx context.Context, id string) (*storage.Session, error)
	GetSessionAccount(ctx context.Context, id string) (*storage.Session, *storage.Account, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	ListSessionsByAccount(ctx context.Context, accountID string) ([]storage.Session, error)
	GetClient(ctx context.Context, id string) (*storage.Client, error)
	ClientsForSession(ctx context.Context, sessionID string) ([]string, error)
	EnqueueLogoutNotice(ctx context.Context, n *storage.LogoutNotice) error
}

// Manager creates, reads and ends SSO sessions. Their cookie goes through
// sso, a gorilla/sessions Store over the storage; the browser binding's
// through browser, a securecookie codec.
type Manager struct {
	store    Store
	sso      *ssoStore
	browser  *securecookie.SecureCookie
	pending  *seal.Sealer
	secure   bool
	lifetime time.Duration
	idle     time.Duration
	now      func() time.Time
}

// Config configures a Manager.
type Config struct {
	// Secure marks the cookie Secure; set it when the issuer is https.
	Secure bool
	// Lifetime is how long a session lasts from sign-in (default 24h).
	Lifetime time.Duration
	// IdleTimeout ends a session nobody used for this long (default 8h).
	// Activity is recorded at most once a minute.
	IdleTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Key signs the session and browser-binding cookies (securecookie,
	// HMAC-SHA256); cmd/foyer derives it from FOYER_SECRET so every node
	// reads the others' cookies. Empty: a random key for this Manager
	// alone (tests), whose cookies no other Manager reads.
	Key []byte
	// PendingKey (seal.KeySize bytes) seals pending interactions'
	// cookies (pending.go); cmd/foyer derives it from FOYER_SECRET.
	// Empty: a random key for this Manager alone (tests).
	PendingKey []byte
}

// NewManager returns a Manager over the store.
func NewManager(store Store, cfg Config) *Manager {
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = 24 * time.Hour
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 8 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Key) == 0 {
		cfg.Key = securecookie.GenerateRandomKey(32)
	}
	if len(cfg.PendingKey) == 0 {
		cfg.PendingKey = securecookie.GenerateRandomKey(seal.KeySize)
	}
	pending, err := seal.New(cfg.PendingKey)
	if err != nil {
		panic(fmt.Sprintf("session: %v", err)) // a key of the wrong length is a wiring mistake
	}
	cookies := Cookies{Secure: cfg.Secure}
	return &Manager{
		store: store, secure: cfg.Secure, lifetime: cfg.Lifetime, idle: cfg.IdleTimeout, now: cfg.Now, pending: pending,
		sso:     &ssoStore{rows: store, codec: newTokenCodec(cfg.Key, cfg.Lifetime), cookies: cookies},
		browser: newTokenCodec(cfg.Key, browserCookieLifetime),
	}
}

// Login describes a completed sign-in.
type Login struct {
	AccountID string
	AMR       []string // authentication methods, e.g. ["pwd"]
	ACR       string
}

// Start creates a session for the login and sets its cookie (through the
// Store, under ctx: the row is stored in ctx's transaction, if any).
func (m *Manager) Start(ctx context.Context, w http.ResponseWriter, r *http.Request, l Login) (*storage.Session, error) {
	now := m.now().UTC()
	s := &storage.Session{
		AccountID:  l.AccountID,
		AuthTime:   now,
		AMR:        l.AMR,
		ACR:        l.ACR,
		IP:         ClientIP(r),
		UserAgent:  truncate(r.UserAgent(), 512),
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(m.lifetime),
	}
	sess := sessions.NewSession(m.sso, CookieName)
	sess.Values[rowKey{}] = s
	if err := m.sso.Save(r.WithContext(ctx), w, sess); err != nil {
		return nil, err
	}
	return s, nil
}

// Current returns the request's valid session or ErrNoSession.
func (m *Manager) Current(r *http.Request) (*storage.Session, error) {
	s, _, err := m.current(r, func(ctx context.Context, id string) (*storage.Session, *storage.Account, error) {
		s, err := m.store.GetSession(ctx, id)
		return s, nil, err
	})
	return s, err
}

// CurrentWithAccount is Current with the session's account, read in the
// same statement: the authorization endpoint needs both on every request.
func (m *Manager) CurrentWithAccount(r *http.Request) (*storage.Session, *storage.Account, error) {
	return m.current(r, m.store.GetSessionAccount)
}

// current reads the request's session with load and checks it is live.
func (m *Manager) current(r *http.Request, load func(ctx context.Context, id string) (*storage.Session, *storage.Account, error)) (*storage.Session, *storage.Account, error) {
	sess, err := m.sso.Get(r, CookieName)
	if err != nil || sess.IsNew || sess.ID == "" {
		return nil, nil, ErrNoSession
	}
	ctx := r.Context()
	s, acct, err := load(ctx, sess.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, ErrNoSession
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session: get: %w", err)
	}
	now := m.now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeenAt) > m.idle {
		return nil, nil, ErrNoSession
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		if err := m.store.TouchSession(ctx, s.ID, now.UTC()); err != nil {
			return nil, nil, fmt.Errorf("session: touch: %w", err)
		}
	}
	return s, acct, nil
}

// End deletes the request's session (if any) and then clears the cookie. It
// returns the session that ended, or nil.
func (m *Manager) End(w http.ResponseWriter, r *http.Request) (*storage.Session, error) {
	s, err := m.Current(r)
	if errors.Is(err, ErrNoSession) {
		m.clearCookie(w)
		return nil, nil
	}
	// A session that could not be read or ended (the database is away)
	// keeps its cookie: clearing it would leave the session live on the
	// server, its relying parties never told, with the browser no longer
	// able to end it. The caller answers 503 and the customer tries again.
	if err != nil {
		return nil, err
	}
	if err := m.end(r.Context(), s); err != nil {
		return nil, err
	}
	m.clearCookie(w)
	return s, nil
}

func (m *Manager) clearCookie(w http.ResponseWriter) { m.cookies().Clear(w, CookieName) }

func (m *Manager) cookies() Cookies { return Cookies{Secure: m.secure} }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ClientIP is the client's address as every event and session records it:
// the host alone, without the port, which changes with each connection and
// would make one customer look like many. Behind a load balancer the
// operator's proxy sets X-Forwarded-For; trusting it is a deployment
// decision made in cmd/foyer's middleware, which rewrites RemoteAddr when
// configured, so this reads the address after that logic.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// truncate keeps at most n bytes of s as valid UTF-8: the row's text
// column on PostgreSQL refuses anything else, which would refuse the
// session (bytes that are no UTF-8 go, a character is not split).
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
