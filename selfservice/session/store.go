package session

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"foyer/storage"
)

// errNoRow: Save was asked to create a session without the row to store.
var errNoRow = errors.New("session: a new SSO session needs its row (Values[rowKey{}])")

// errNoToken: Save was given a stored session it did not read or create.
var errNoToken = errors.New("session: the session carries no cookie value")

// rowKey and tokenKey index sessions.Session.Values: the storage row a
// new session is created from, and the random value its cookie carries.
type (
	rowKey   struct{}
	tokenKey struct{}
)

// ssoStore is the SSO session's gorilla/sessions Store over Foyer's
// storage. The cookie carries a random value signed by securecookie; the
// database row is keyed by the value's SHA-256 (sessions.Session.ID is
// that digest, storage.Session.ID), so a leaked table yields no usable
// cookie. Only Manager uses it: the row's expiry, idle timeout and
// last-seen time are the Manager's, and deleting a row is Manager.end's,
// which queues the back-channel logout notices in the same transaction.
type ssoStore struct {
	rows    Store
	codec   *securecookie.SecureCookie
	cookies Cookies
}

var _ sessions.Store = (*ssoStore)(nil)

// Get is New: the gorilla Registry that would cache it rewrites *r in
// place, and reading a cookie is cheap; every Manager call reads the row
// afresh anyway, so an ended session is never served from a cache.
func (s *ssoStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return s.New(r, name)
}

// New returns the request's session: IsNew false and ID set when the
// cookie carries a value signed for name (or a legacy unsigned one, see
// readToken); otherwise a new empty session, with the reason as error
// when a cookie was there but is not valid. Whether a row exists is for
// the caller to look up.
func (s *ssoStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = &sessions.Options{Path: "/", Secure: s.cookies.Secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	sess.IsNew = true // NewSession leaves it false
	token, err := readToken(s.codec, s.cookies, r, name)
	if err != nil {
		if errors.Is(err, ErrNoSession) && s.cookies.Value(r, name) == "" {
			err = nil // no cookie at all is not an error
		}
		return sess, err
	}
	sess.ID = hashToken(token)
	sess.Values[tokenKey{}] = token
	sess.IsNew = false
	return sess, nil
}

// Save writes the session's cookie. A session without an ID is created:
// a fresh random value, its digest as the row's ID, the row (from
// Values[rowKey{}]) stored with r's context. Options.MaxAge < 0 clears the
// cookie only. The cookie's attributes are Cookies' (whatever Options
// say), its expiry the row's when Values holds one.
func (s *ssoStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options != nil && sess.Options.MaxAge < 0 {
		s.cookies.Clear(w, sess.Name())
		return nil
	}
	row, _ := sess.Values[rowKey{}].(*storage.Session)
	if sess.ID == "" {
		if err := s.create(r, sess, row); err != nil {
			return err
		}
	}
	token, _ := sess.Values[tokenKey{}].(string)
	if token == "" {
		return errNoToken
	}
	value, err := signToken(s.codec, sess.Name(), token)
	if err != nil {
		return err
	}
	c := s.cookies.New(sess.Name(), value)
	if row != nil {
		c.Expires = row.ExpiresAt
	}
	http.SetCookie(w, c)
	return nil
}

func (s *ssoStore) create(r *http.Request, sess *sessions.Session, row *storage.Session) error {
	if row == nil {
		return errNoRow
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	row.ID = hashToken(token)
	if err := s.rows.CreateSession(r.Context(), row); err != nil {
		return fmt.Errorf("session: create: %w", err)
	}
	sess.ID = row.ID
	sess.Values[tokenKey{}] = token
	sess.IsNew = false
	return nil
}
