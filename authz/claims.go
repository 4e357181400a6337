package authz

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/ory/fosite"

	"foyer/storage"
)

// addressAttributes are the account attributes that make up the OIDC
// "address" claim (OIDC Core 1.0 section 5.1.1), by member name.
var addressAttributes = []string{"formatted", "street_address", "locality", "region", "postal_code", "country"}

// addressClaim is the "address" object from the account's attributes, or
// nil when it has none of them.
func addressClaim(acct *storage.Account) map[string]string {
	var addr map[string]string
	for _, k := range addressAttributes {
		if v := acct.Attributes[k]; v != "" {
			if addr == nil {
				addr = map[string]string{}
			}
			addr[k] = v
		}
	}
	return addr
}

// errBadClaimsParameter is a malformed OIDC "claims" request parameter.
var errBadClaimsParameter = errors.New("authz: malformed claims parameter")

// claimsRequest is the OIDC "claims" request parameter (OIDC Core 1.0
// section 5.5). Each member's value is null or an object such as
// {"essential": true}; Foyer returns a requested claim when the account has
// it and a granted scope covers it, essential or not.
type claimsRequest struct {
	IDToken  map[string]json.RawMessage `json:"id_token"`
	UserInfo map[string]json.RawMessage `json:"userinfo"`
}

// parseClaimsRequest decodes the parameter; "" is no request.
func parseClaimsRequest(raw string) (*claimsRequest, error) {
	if raw == "" {
		return &claimsRequest{}, nil
	}
	var req claimsRequest
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		return nil, errBadClaimsParameter
	}
	for _, members := range []map[string]json.RawMessage{req.IDToken, req.UserInfo} {
		for _, v := range members {
			v = bytes.TrimSpace(v)
			if !bytes.Equal(v, []byte("null")) && (len(v) == 0 || v[0] != '{') {
				return nil, errBadClaimsParameter
			}
		}
	}
	return &req, nil
}

// checkClaimsParameter rejects a malformed "claims" parameter before the
// user signs in.
func checkClaimsParameter(form interface{ Get(string) string }) error {
	if _, err := parseClaimsRequest(form.Get("claims")); err != nil {
		return fosite.ErrInvalidRequest.WithHint("The claims parameter must be a JSON object as in OpenID Connect Core section 5.5.").WithWrap(err)
	}
	return nil
}

// addRequestedClaims puts the ID-token claims asked for with the "claims"
// parameter into the grant's session, taking values from the account at
// issue time. Only claims of granted scopes are released: consent is given
// per scope, so "claims" selects among what the user agreed to share. The
// session is stored with the code, so the token endpoint's ID token (and
// those from refreshes) carry them.
func addRequestedClaims(sess *Session, acct *storage.Account, ar fosite.AuthorizeRequester) {
	req, err := parseClaimsRequest(ar.GetRequestForm().Get("claims"))
	if err != nil || len(req.IDToken) == 0 {
		return
	}
	available := Claims(acct, ar.GetGrantedScopes())
	extra := sess.Claims.Extra
	for name := range req.IDToken {
		if _, reserved := extra[name]; reserved || name == "sub" {
			continue
		}
		if v, ok := available[name]; ok {
			extra[name] = v
		}
	}
}
