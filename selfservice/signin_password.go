package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"foyer/selfservice/password"
	"foyer/selfservice/session"
	"foyer/storage"
)

// passwordStore is what the password step reads and writes.
type passwordStore interface {
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	FindAccountPassword(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, *storage.PasswordCredential, error)
	SetPassword(ctx context.Context, accountID, hash string) error
}

// passwordStep checks the password of the identified account.
type passwordStep struct {
	store     passwordStore
	guard     signInGuard
	queue     deferFunc
	hasher    *password.Hasher
	dummyHash string
	now       func() time.Time
}

func (*passwordStep) Name() string { return "password" }

func (*passwordStep) Show(f *Flow) View {
	return View{Template: "login", Data: &loginData{
		Step:                "password",
		Identifier:          f.State.Identifier,
		ChangeIdentifierURL: f.URL(url.Values{"restart": {"1"}}),
		ForgotPasswordURL:   forgotPasswordURL(f),
	}}
}

func (s *passwordStep) Submit(r *http.Request, f *Flow) (View, bool, error) {
	fail := func(key string, status int) (View, bool, error) {
		v := s.Show(f)
		v.Error, v.Status = key, status
		return v, false, nil
	}
	pw := r.PostFormValue("password")
	if pw == "" {
		v := s.Show(f)
		v.FieldErrors, v.Status = map[string]string{"password": "login.password_required"}, http.StatusBadRequest
		return v, false, nil
	}
	// Judged before the password is hashed: a refused try costs no
	// argon2id work and is not counted (signInGuard).
	try, refused, err := s.guard.admit(r.Context(), f.App.StoreID, f.State.Identifier, session.ClientNetwork(r))
	if err != nil {
		return View{}, false, err
	}
	if refused != nil {
		v, done, err := fail(refused.message, http.StatusTooManyRequests)
		v.RetryAfter = refused.retryAfter
		return v, done, err
	}
	acct, cred, err := s.lookup(r, f)
	if err != nil {
		return View{}, false, err
	}
	// An unknown identifier costs the same argon2id work as a wrong password.
	hash := s.dummyHash
	if cred != nil {
		hash = cred.Hash
	}
	rehash, verr := s.hasher.Verify(r.Context(), pw, hash)
	if verr != nil && !errors.Is(verr, password.ErrMismatch) {
		// A malformed stored hash, or the browser gave up while waiting.
		return View{}, false, fmt.Errorf("selfservice: verify password: %w", verr)
	}
	if cred == nil || verr != nil {
		if err := s.guard.failed(r.Context(), try); err != nil {
			return View{}, false, err
		}
		// The activity log's login.failed is written by the worker: an
		// insert here only for known identifiers would time them apart.
		if err := s.queue(r, f, deferredLoginFailed, deferredPayload{Typed: f.State.Identifier}); err != nil {
			return View{}, false, err
		}
		return fail("login.invalid_credentials", http.StatusBadRequest)
	}
	if err := s.guard.succeeded(r.Context(), try); err != nil {
		return View{}, false, err
	}
	// Status is told only after the right password, so it reveals nothing
	// to someone who does not own the account.
	if acct.Status == storage.AccountPending {
		f.State.Pending = acct.ID
		return fail("login.account_pending", http.StatusForbidden)
	}
	if acct.Status != storage.AccountEnabled {
		return fail("login.account_disabled", http.StatusForbidden)
	}
	if rehash {
		s.upgradeHash(r, acct.ID, pw)
	}
	firstFactor(&f.State, acct.ID, amrPassword, "")
	f.account = acct
	return View{}, true, nil
}

// lookup finds the account the identifier names in the application's
// identity store and its password, either of which may be absent.
func (s *passwordStep) lookup(r *http.Request, f *Flow) (*storage.Account, *storage.PasswordCredential, error) {
	ctx := r.Context()
	store, err := s.store.GetIdentityStore(ctx, f.App.StoreID)
	if err != nil {
		return nil, nil, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	kind, value := storage.ParseIdentifier(f.State.Identifier)
	if !allows(store, kind) {
		return nil, nil, nil
	}
	// One statement, whether or not the identifier names an account, so
	// an unknown one runs what a known one does.
	acct, cred, err := s.store.FindAccountPassword(ctx, store.ID, kind, value)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("selfservice: find account and password: %w", err)
	}
	return acct, cred, nil
}

// upgradeHash re-hashes with the current parameters; a failure only
// postpones the upgrade to the next sign-in.
func (s *passwordStep) upgradeHash(r *http.Request, accountID, pw string) {
	if hash, err := s.hasher.Hash(r.Context(), pw); err == nil {
		_ = s.store.SetPassword(r.Context(), accountID, hash)
	}
}
