package fositestore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/ory/fosite"
)

// decodeMemo spares a code exchange decoding again what it decoded
// already. fosite reads the code twice, then its PKCE and OpenID Connect
// records: four decodes of about 30 µs each, a tenth of an exchange's CPU
// besides its signature. The code's record is the same bytes both times,
// and all three records carry the same session, each time decoded into
// the one session object of the token request.
type decodeMemo struct {
	// records are the code records decoded, with the bytes they held.
	records map[recordKey]decodedRecord
	// session is the stored session last decoded into into.
	session []byte
	into    fosite.Session
}

type decodedRecord struct {
	data   []byte
	stored storedRequest
}

// decodeCodeRecord is decode for the records of an authorization code,
// remembering within the request what it decoded.
//
// Decoding a session's bytes into the object that was decoded from the
// same bytes changes nothing, unless a field those bytes carry was changed
// in between; so it is skipped. Between the reads fosite sets only the
// expiries of the tokens it is issuing, which a code's stored session does
// not carry (it carries the code's own), and it fills in the ID token's
// claims after the last read.
func (s *Store) decodeCodeRecord(ctx context.Context, k recordKey, data []byte, session fosite.Session) (*fosite.Request, error) {
	r := requestFrom(ctx)
	if r == nil {
		return s.decode(ctx, data, session)
	}
	r.mu.Lock()
	m := &r.memo
	var sr storedRequest
	prior, known := m.records[k]
	known = known && bytes.Equal(prior.data, data)
	if known {
		sr = prior.stored.copy()
	}
	lastSession, lastInto := m.session, m.into
	r.mu.Unlock()

	if !known {
		if err := json.Unmarshal(data, &sr); err != nil {
			return nil, fmt.Errorf("fositestore: decode request: %w", err)
		}
	}
	decoded := session != nil && lastInto != nil && sameObject(lastInto, session) && bytes.Equal(lastSession, sr.Session)
	if !decoded {
		if err := decodeSession(sr.Session, session); err != nil {
			return nil, err
		}
	}

	r.mu.Lock()
	if !known {
		if m.records == nil {
			m.records = map[recordKey]decodedRecord{}
		}
		m.records[k] = decodedRecord{data: data, stored: sr.copy()}
	}
	if session != nil && len(sr.Session) > 0 {
		m.session, m.into = sr.Session, session
	}
	r.mu.Unlock()
	return s.requester(ctx, sr, session)
}

// sameObject reports whether a and b are the same pointer: sessions are
// pointers, and anything else is never taken for the same object.
func sameObject(a, b fosite.Session) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer &&
		va.Type() == vb.Type() && va.Pointer() == vb.Pointer()
}

// copy is sr with its own slices and form, so that no two requesters
// built from one decode share them.
func (sr storedRequest) copy() storedRequest {
	c := sr
	c.RequestedScope = slices.Clone(sr.RequestedScope)
	c.GrantedScope = slices.Clone(sr.GrantedScope)
	c.RequestedAudience = slices.Clone(sr.RequestedAudience)
	c.GrantedAudience = slices.Clone(sr.GrantedAudience)
	if sr.Form != nil {
		c.Form = maps.Clone(sr.Form)
		for k, v := range c.Form {
			c.Form[k] = slices.Clone(v)
		}
	}
	return c
}
