package authz

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/ory/fosite"
)

// clientAssertionType is RFC 7523's client assertion type, the only one
// Foyer accepts (private_key_jwt).
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientAuthentication is fosite's client authentication with RFC 7523's
// error codes: every failure to authenticate with a client assertion is
// invalid_client (RFC 7523 section 3.2, RFC 6749 section 5.2). fosite
// answers a replayed jti with its own jti_known and an assertion signed
// by a key the client never registered with invalid_request; an expired
// assertion surfaces as an untyped error (a 500).
func clientAuthentication(p *fosite.Fosite) fosite.ClientAuthenticationStrategy {
	return func(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
		c, err := p.DefaultClientAuthenticationStrategy(ctx, r, form)
		if err == nil || form.Get("client_assertion_type") != clientAssertionType || form.Get("client_assertion") == "" {
			return c, err
		}
		var rfc *fosite.RFC6749Error
		switch {
		case !errors.As(err, &rfc):
			// fosite passes the JWT parser's errors on untyped (an
			// expired or not yet valid assertion, a bad signature).
			return nil, fosite.ErrInvalidClient.WithHintf("The client assertion is not valid: %s.", err).WithWrap(err)
		case errors.Is(err, fosite.ErrJTIKnown):
			return nil, fosite.ErrInvalidClient.WithHint("The client assertion's jti was already used.").WithWrap(err)
		case errors.Is(err, fosite.ErrInvalidRequest):
			return nil, fosite.ErrInvalidClient.WithHint(rfc.HintField).WithWrap(err).WithDebug(rfc.DebugField)
		}
		return nil, err
	}
}
