package fositestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/ory/fosite"

	"foyer/storage"
)

// ErrPARExpired is GetPARSession's answer for a pushed request past its
// lifetime; fosite turns it (like every error there) into
// invalid_request_uri.
var ErrPARExpired = errors.New("fositestore: pushed authorization request expired")

// storedPAR is a pushed authorization request: the stored requester plus
// what fosite needs to resume it as an authorization request, which a
// plain fosite.Request does not carry.
type storedPAR struct {
	storedRequest
	RedirectURI   string   `json:"redirect_uri"`
	ResponseTypes []string `json:"response_types"`
	State         string   `json:"state"`
	ResponseMode  string   `json:"response_mode"`
}

// parSignature files a request_uri under its SHA-256: like a code, the
// reference itself is a bearer secret and is not stored in the clear.
func parSignature(requestURI string) string {
	sum := sha256.Sum256([]byte(requestURI))
	return hex.EncodeToString(sum[:])
}

// CreatePARSession stores a pushed authorization request until the expiry
// fosite's PAR handler set on its session.
func (s *Store) CreatePARSession(ctx context.Context, requestURI string, r fosite.AuthorizeRequester) error {
	sr, err := encodeRequest(r)
	if err != nil {
		return err
	}
	rec := storedPAR{
		storedRequest: sr,
		ResponseTypes: r.GetResponseTypes(),
		State:         r.GetState(),
		ResponseMode:  string(r.GetResponseMode()),
	}
	if u := r.GetRedirectURI(); u != nil {
		rec.RedirectURI = u.String()
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("fositestore: encode pushed request: %w", err)
	}
	return s.createRecord(ctx, storage.TokenPAR, parSignature(requestURI), r, fosite.PushedAuthorizeRequestContext, data)
}

// GetPARSession takes the pushed request: it is deleted as it is read, so a
// request_uri is used once even when two requests race for it (the delete
// is conditional on the row; only one of them deletes it). Expired records
// are taken too, which cleans them up, and answered with ErrPARExpired.
// The record's session is not restored: the authorization response sets
// its own.
func (s *Store) GetPARSession(ctx context.Context, requestURI string) (fosite.AuthorizeRequester, error) {
	sig := parSignature(requestURI)
	t, err := s.b.GetToken(ctx, storage.TokenPAR, sig)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("fositestore: get pushed request: %w", err)
	}
	if err := s.delete(ctx, storage.TokenPAR, sig); err != nil {
		return nil, err // fosite.ErrNotFound: another request took it first
	}
	if !s.now().Before(t.ExpiresAt) {
		return nil, ErrPARExpired
	}
	var rec storedPAR
	if err := json.Unmarshal(t.Data, &rec); err != nil {
		return nil, fmt.Errorf("fositestore: decode pushed request: %w", err)
	}
	req, err := s.decode(ctx, t.Data, nil)
	if err != nil {
		return nil, err
	}
	ar := fosite.NewAuthorizeRequest()
	ar.Request = *req
	ar.ResponseTypes = rec.ResponseTypes
	ar.State = rec.State
	ar.ResponseMode = fosite.ResponseModeType(rec.ResponseMode)
	if rec.RedirectURI != "" {
		if ar.RedirectURI, err = url.Parse(rec.RedirectURI); err != nil {
			return nil, fmt.Errorf("fositestore: decode pushed request's redirect_uri: %w", err)
		}
	}
	return ar, nil
}

// DeletePARSession does nothing: GetPARSession already took the record,
// and fosite always calls the two together.
func (s *Store) DeletePARSession(context.Context, string) error { return nil }
