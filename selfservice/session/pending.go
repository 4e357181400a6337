package session

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// A pending interaction is a sign-in request that nobody has answered yet.
// Storing one per anonymous authorization request would let anyone fill
// the database, so it is kept in the browser that started it instead, in
// a cookie of its own, sealed (AES-256-GCM) under a key derived from
// FOYER_SECRET and bound to its id. selfservice stores it as a row at the
// first request that changes anything (Materialise), and only then do the
// budgets on new interactions count it.
const (
	// pendingCookiePrefix + the first pendingNameChars of the id is a
	// pending interaction's cookie base name (session.Cookies adds
	// "__Host-" on https).
	pendingCookiePrefix = "foyer_in_"
	pendingNameChars    = 16
	// MaxPendingPerBrowser and MaxPendingBytes bound the pending cookies
	// one browser holds: setting another expires the oldest beyond either.
	// MaxPendingBytes (names and values together, the new cookie
	// included) keeps the Cookie header within the 8 KiB a reverse proxy
	// accepts by default (nginx's large_client_header_buffers), with room
	// for Foyer's other cookies; one cookie at the request cap takes
	// about 4 KiB of it, a usual request's about 1 KiB.
	MaxPendingPerBrowser = 4
	MaxPendingBytes      = 6 << 10
	pendingSealDomain    = "foyer/pending-interaction/v1\x00"
)

// MaxPendingRequest is the largest authorization request (its URL-encoded
// parameters) a pending cookie carries. Chromium refuses a cookie whose
// name and value exceed 4096 bytes:
//
//	name   "__Host-foyer_in_" + 16 characters of the id  =   32
//	value  4096 - 32 = 4064 characters of base64url      → 3048 sealed bytes
//	seal   version 1 + nonce 12 + GCM tag 16              =   29 → 3019 plain bytes
//	JSON   {"i":"","c":"","r":"","b":"","t":,"e":}        =   39
//	       id 43, browser binding 64, two Unix times 2×10 =  127
//	       client id, at most MaxPendingClientID           =  128
//	request 3019 - 39 - 127 - 128                         = 2725
//
// The request is URL-encoded, so JSON adds no escapes to it. A larger
// request must be pushed (PAR), where the client authenticates and the
// row is stored at once.
const (
	MaxPendingRequest  = 2725
	MaxPendingClientID = 128
	maxCookieBytes     = 4096
)

// ErrPendingTooLarge means a pending interaction would not fit its cookie.
var ErrPendingTooLarge = errors.New("session: pending interaction too large for a cookie")

// pendingValue is what a pending cookie seals: the interaction's row
// without State and SessionID, which only a stored interaction has.
type pendingValue struct {
	ID       string `json:"i"`
	ClientID string `json:"c"`
	Request  string `json:"r"`
	Browser  string `json:"b"`
	Created  int64  `json:"t"`
	Expires  int64  `json:"e"`
}

func pendingCookieBase(id string) string {
	if len(id) > pendingNameChars {
		id = id[:pendingNameChars]
	}
	return pendingCookiePrefix + id
}

// pendingAD binds a sealed value to its cookie's name, which carries the
// start of the id; the whole id, inside, must match it too.
func pendingAD(base string) []byte { return []byte(pendingSealDomain + base) }

// Park sets in's pending cookie (Max-Age: until in expires) and expires
// the browser's oldest pending cookies beyond MaxPendingPerBrowser.
// in.Request over MaxPendingRequest, or a client id over
// MaxPendingClientID, is ErrPendingTooLarge.
func (m *Manager) Park(w http.ResponseWriter, r *http.Request, in *storage.Interaction) error {
	if len(in.Request) > MaxPendingRequest || len(in.ClientID) > MaxPendingClientID {
		return ErrPendingTooLarge
	}
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	err := enc.Encode(pendingValue{ID: in.ID, ClientID: in.ClientID, Request: in.Request, Browser: in.Browser,
		Created: in.CreatedAt.Unix(), Expires: in.ExpiresAt.Unix()})
	if err != nil {
		return fmt.Errorf("session: encode pending interaction: %w", err)
	}
	base := pendingCookieBase(in.ID)
	sealed, err := m.pending.Seal(bytes.TrimSuffix(plain.Bytes(), []byte("\n")), pendingAD(base))
	if err != nil {
		return fmt.Errorf("session: seal pending interaction: %w", err)
	}
	c := m.cookies().New(base, base64.RawURLEncoding.EncodeToString(sealed))
	if len(c.Name)+len(c.Value) > maxCookieBytes {
		return ErrPendingTooLarge
	}
	c.MaxAge = max(1, int(in.ExpiresAt.Sub(m.now()).Seconds()))
	m.evictPending(w, r, MaxPendingPerBrowser-1, MaxPendingBytes-len(c.Name)-len(c.Value))
	http.SetCookie(w, c)
	return nil
}

// evictPending keeps the request's newest pending cookies, at most keep
// of them and keepBytes of names and values together, and expires the
// others (the unreadable ones first).
func (m *Manager) evictPending(w http.ResponseWriter, r *http.Request, keep, keepBytes int) {
	type held struct {
		base    string
		created int64
		size    int
		order   int // place in the Cookie header: browsers send older cookies first
	}
	prefix := m.cookies().Name(pendingCookiePrefix)
	var all []held
	for _, c := range r.Cookies() {
		if !strings.HasPrefix(c.Name, prefix) {
			continue
		}
		h := held{base: strings.TrimPrefix(c.Name, m.cookies().Name("")), created: -1, size: len(c.Name) + len(c.Value), order: len(all)}
		if v, ok := m.openPending(h.base, c.Value); ok {
			h.created = v.Created
		}
		all = append(all, h)
	}
	// Newest first; cookies made within one second (the sealed time's
	// precision) by their order in the header.
	slices.SortFunc(all, func(a, b held) int { return cmp.Or(cmp.Compare(b.created, a.created), cmp.Compare(b.order, a.order)) })
	kept, bytes := 0, 0
	for _, h := range all {
		if kept < keep && h.created >= 0 && bytes+h.size <= keepBytes {
			kept, bytes = kept+1, bytes+h.size
			continue
		}
		m.cookies().Clear(w, h.base)
	}
}

// openPending opens a pending cookie's value under its base name; the
// caller checks the id inside against the one it expects.
func (m *Manager) openPending(base, value string) (*pendingValue, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return nil, false
	}
	plain, err := m.pending.Open(raw, pendingAD(base))
	if err != nil {
		return nil, false
	}
	var v pendingValue
	if json.Unmarshal(plain, &v) != nil || pendingCookieBase(v.ID) != base {
		return nil, false
	}
	return &v, true
}

// Pending returns the interaction id's pending cookie carries: sealed for
// id and not expired, else false.
func (m *Manager) Pending(r *http.Request, id string) (*storage.Interaction, bool) {
	v := m.cookies().Value(r, pendingCookieBase(id))
	if v == "" {
		return nil, false
	}
	p, ok := m.openPending(pendingCookieBase(id), v)
	if !ok || p.ID != id || !m.now().Before(time.Unix(p.Expires, 0)) {
		return nil, false
	}
	return &storage.Interaction{ID: p.ID, ClientID: p.ClientID, Request: p.Request, Browser: p.Browser,
		CreatedAt: time.Unix(p.Created, 0).UTC(), ExpiresAt: time.Unix(p.Expires, 0).UTC()}, true
}

// Unpark expires id's pending cookie: its interaction is stored now, or
// finished.
func (m *Manager) Unpark(w http.ResponseWriter, id string) {
	m.cookies().Clear(w, pendingCookieBase(id))
}

// InteractionRows reads stored interactions.
type InteractionRows interface {
	GetInteraction(ctx context.Context, id string) (*storage.Interaction, error)
}

// LoadInteraction is the one loader of an interaction for a page: the
// stored row, or else the request's pending cookie for id (pending true).
// Neither is storage.ErrNotFound; a forged or expired cookie is none. The
// caller judges a row's expiry and binding as before.
func (m *Manager) LoadInteraction(r *http.Request, rows InteractionRows, id string) (in *storage.Interaction, pending bool, err error) {
	in, err = rows.GetInteraction(r.Context(), id)
	if !errors.Is(err, storage.ErrNotFound) {
		return in, false, err
	}
	if p, ok := m.Pending(r, id); ok {
		return p, true, nil
	}
	return nil, false, storage.ErrNotFound
}
