package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// conformanceRow is one malformed or hostile request and exactly what it
// must get.
type conformanceRow struct {
	plan string // the OpenID Foundation test plan it belongs to
	name string
	do   func(t *testing.T, fx *conformanceFixture) outcome
	want outcome
}

// Expected answers, by the way they travel.
var (
	errorPage = func() outcome { return outcome{via: viaPage, status: http.StatusBadRequest} }
	redirect  = func(code string) outcome { return outcome{via: viaRedirect, status: http.StatusSeeOther, code: code} }
	formPost  = func(code string) outcome { return outcome{via: viaFormPost, status: http.StatusOK, code: code} }
	jsonError = func(status int, code string) outcome { return outcome{via: viaJSON, status: status, code: code} }
)

// TestConformanceNegative is Foyer's negative suite in the manner of the
// OpenID Foundation's conformance plans (basic, config, form_post, PAR,
// dynamic): each row a bad request and the exact error and status it must
// get. Many rows repeat checks made elsewhere; this table is the one place
// that reads like the plan.
func TestConformanceNegative(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newConformanceFixture(t, newStore(t), newStore(t))
		rows := append(basicRows(), configRows()...)
		rows = append(rows, formPostRows()...)
		rows = append(rows, parRows()...)
		rows = append(rows, dynamicRows()...)
		for _, row := range rows {
			t.Run(row.plan+"/"+row.name, func(t *testing.T) {
				if got := row.do(t, fx); got != row.want {
					t.Fatalf("got %s\nwant %s", got, row.want)
				}
			})
		}
	})
}

// basicRows: the authorization code flow (oidcc-basic-certification-test-plan).
func basicRows() []conformanceRow {
	return []conformanceRow{
		{"basic", "unknown client", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("client_id", "no-such-client")))
		}, errorPage()},
		{"basic", "mismatched redirect_uri", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("redirect_uri", "https://evil.example/callback")))
		}, errorPage()},
		{"basic", "missing redirect_uri for openid", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("redirect_uri", "")))
		}, errorPage()},
		{"basic", "missing response_type", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("response_type", "")))
		}, redirect("unsupported_response_type")},
		{"basic", "response_type token", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("response_type", "token")))
		}, redirect("unsupported_response_type")},
		{"basic", "response_type id_token", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("response_type", "id_token")))
		}, redirect("unsupported_response_type")},
		{"basic", "unknown scope", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("scope", "openid bogus")))
		}, redirect("invalid_scope")},
		{"basic", "prompt=none without a session", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("prompt", "none")))
		}, redirect("login_required")},
		{"basic", "public client without PKCE", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.public, set("code_challenge", "", "code_challenge_method", "")))
		}, redirect("invalid_request")},
		{"basic", "PKCE method plain", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.public, set("code_challenge", strings.Repeat("a", 43), "code_challenge_method", "plain")))
		}, redirect("invalid_request")},
		{"basic", "replayed code", func(t *testing.T, fx *conformanceFixture) outcome {
			c, v := code(t, fx.srv, fx.rp)
			if got := exchange(t, fx.srv, fx.rp, c, v); got.status != http.StatusOK {
				t.Fatalf("first exchange: %s", got)
			}
			return exchange(t, fx.srv, fx.rp, c, v)
		}, jsonError(http.StatusBadRequest, "invalid_grant")},
		{"basic", "expired code", func(t *testing.T, fx *conformanceFixture) outcome {
			c, v := code(t, fx.short, fx.shortRP) // lives 1 ns: already expired
			return exchange(t, fx.short, fx.shortRP, c, v)
		}, jsonError(http.StatusBadRequest, "invalid_grant")},
		{"basic", "code of another client", func(t *testing.T, fx *conformanceFixture) outcome {
			c, v := code(t, fx.srv, fx.rp)
			return exchange(t, fx.srv, fx.other, c, v)
		}, jsonError(http.StatusBadRequest, "invalid_grant")},
		{"basic", "wrong PKCE verifier", func(t *testing.T, fx *conformanceFixture) outcome {
			c, _ := code(t, fx.srv, fx.rp)
			return exchange(t, fx.srv, fx.rp, c, oauth2.GenerateVerifier())
		}, jsonError(http.StatusBadRequest, "invalid_grant")},
		{"basic", "missing PKCE verifier", func(t *testing.T, fx *conformanceFixture) outcome {
			c, _ := code(t, fx.srv, fx.rp)
			return exchange(t, fx.srv, fx.rp, c, "")
		}, jsonError(http.StatusBadRequest, "invalid_grant")},
		{"basic", "revoked refresh token", func(t *testing.T, fx *conformanceFixture) outcome {
			tok := tokens(t, fx.srv, fx.rp)
			if got := backChannel(t, fx.srv, authz.RevocationPath, url.Values{"token": {tok.RefreshToken}},
				fx.rp.oauth.ClientID, fx.rp.oauth.ClientSecret); got.status != http.StatusOK {
				t.Fatalf("revoke: %s", got)
			}
			return refresh(t, fx.srv, fx.rp, tok.RefreshToken)
		}, jsonError(http.StatusBadRequest, "invalid_grant")},
		{"basic", "refresh token of another client", func(t *testing.T, fx *conformanceFixture) outcome {
			return refresh(t, fx.srv, fx.other, tokens(t, fx.srv, fx.rp).RefreshToken)
		}, jsonError(http.StatusBadRequest, "invalid_grant")},
		{"basic", "client credentials by a public client", func(t *testing.T, fx *conformanceFixture) outcome {
			return backChannel(t, fx.srv, authz.TokenPath, url.Values{"grant_type": {"client_credentials"}, "client_id": {fx.public.oauth.ClientID}}, "", "")
		}, jsonError(http.StatusBadRequest, "unauthorized_client")},
		{"basic", "wrong client secret", func(t *testing.T, fx *conformanceFixture) outcome {
			return backChannel(t, fx.srv, authz.TokenPath, url.Values{"grant_type": {"client_credentials"}}, fx.rp.oauth.ClientID, "wrong-secret")
		}, jsonError(http.StatusUnauthorized, "invalid_client")},
		{"basic", "unknown grant_type", func(t *testing.T, fx *conformanceFixture) outcome {
			return backChannel(t, fx.srv, authz.TokenPath, url.Values{"grant_type": {"password"}}, fx.rp.oauth.ClientID, fx.rp.oauth.ClientSecret)
		}, jsonError(http.StatusBadRequest, "unsupported_grant_type")},
		{"basic", "introspection by an unauthenticated caller", func(t *testing.T, fx *conformanceFixture) outcome {
			return backChannel(t, fx.srv, authz.IntrospectionPath, url.Values{"token": {"anything"}}, "", "")
		}, jsonError(http.StatusUnauthorized, "invalid_client")},
		{"basic", "introspection with wrong credentials", func(t *testing.T, fx *conformanceFixture) outcome {
			return backChannel(t, fx.srv, authz.IntrospectionPath, url.Values{"token": {"anything"}}, fx.rp.oauth.ClientID, "wrong-secret")
		}, jsonError(http.StatusUnauthorized, "invalid_client")},
		{"basic", "UserInfo without a token", func(t *testing.T, fx *conformanceFixture) outcome {
			return bearer(t, fx.srv, "")
		}, jsonError(http.StatusUnauthorized, "invalid_request")},
		{"basic", "UserInfo with a bogus token", func(t *testing.T, fx *conformanceFixture) outcome {
			return bearer(t, fx.srv, "Bearer not-a-token")
		}, jsonError(http.StatusUnauthorized, "invalid_token")},
	}
}

// configRows: what discovery says is unsupported is refused
// (oidcc-config-certification-test-plan checks the document; these rows
// check Foyer keeps to it).
func configRows() []conformanceRow {
	return []conformanceRow{
		{"config", "response_mode fragment (not in response_modes_supported)", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("response_mode", "fragment")))
		}, redirect("unsupported_response_mode")},
		{"config", "request object (request_parameter_supported false)", func(t *testing.T, fx *conformanceFixture) outcome {
			// Refused before fosite reads it, and redirected to the
			// client's registered URI as OIDC Core 6.1 asks.
			return authorize(t, fx.srv, authURL(fx.rp, set("request", "eyJhbGciOiJub25lIn0.e30.")))
		}, redirect("request_not_supported")},
		{"config", "registration parameter", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("registration", `{"client_name":"x"}`)))
		}, redirect("registration_not_supported")},
		{"config", "unknown prompt value", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, set("prompt", "bogus")))
		}, redirect("invalid_request")},
	}
}

// formPostRows: errors travel by form_post when it was asked for
// (oidcc-formpost-basic-certification-test-plan), but never to an
// unregistered redirect URI.
func formPostRows() []conformanceRow {
	fp := func(pairs ...string) func(url.Values) {
		return set(append([]string{"response_mode", "form_post"}, pairs...)...)
	}
	return []conformanceRow{
		{"form_post", "prompt=none without a session", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, fp("prompt", "none")))
		}, formPost("login_required")},
		{"form_post", "unknown scope", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, fp("scope", "openid bogus")))
		}, formPost("invalid_scope")},
		{"form_post", "public client without PKCE", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.public, fp("code_challenge", "", "code_challenge_method", "")))
		}, formPost("invalid_request")},
		{"form_post", "mismatched redirect_uri", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.rp, fp("redirect_uri", "https://evil.example/callback")))
		}, errorPage()},
	}
}

// parRows: pushed authorization requests (RFC 9126; the FAPI plans' PAR
// checks).
func parRows() []conformanceRow {
	return []conformanceRow{
		{"par", "reused request_uri", func(t *testing.T, fx *conformanceFixture) outcome {
			uri := pushed(t, fx.srv, fx.rp, nil)
			if got := authorize(t, fx.srv, parAuthURL(fx.srv, fx.rp.oauth.ClientID, uri)); got.via != "page at /login" {
				t.Fatalf("first use: %s", got)
			}
			return authorize(t, fx.srv, parAuthURL(fx.srv, fx.rp.oauth.ClientID, uri))
		}, errorPage()},
		{"par", "expired request_uri", func(t *testing.T, fx *conformanceFixture) outcome {
			uri := pushed(t, fx.short, fx.shortRP, nil) // lives 1 ns: already expired
			return authorize(t, fx.short, parAuthURL(fx.short, fx.shortRP.oauth.ClientID, uri))
		}, errorPage()},
		{"par", "request_uri of another client", func(t *testing.T, fx *conformanceFixture) outcome {
			uri := pushed(t, fx.srv, fx.rp, nil)
			return authorize(t, fx.srv, parAuthURL(fx.srv, fx.other.oauth.ClientID, uri))
		}, errorPage()},
		{"par", "made-up request_uri", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, parAuthURL(fx.srv, fx.rp.oauth.ClientID, requestURIPrefix+"made-up"))
		}, errorPage()},
		{"par", "plain request by a PAR-only client", func(t *testing.T, fx *conformanceFixture) outcome {
			return authorize(t, fx.srv, authURL(fx.parOnly, nil))
		}, redirect("invalid_request")},
		{"par", "push with a wrong client secret", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.rp, nil, fx.rp.oauth.ClientID, "wrong-secret")
		}, jsonError(http.StatusUnauthorized, "invalid_client")},
		{"par", "push without client authentication", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.rp, nil, "", "")
		}, jsonError(http.StatusUnauthorized, "invalid_client")},
		{"par", "push carrying a request_uri", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.rp, set("request_uri", requestURIPrefix+"x"), fx.rp.oauth.ClientID, fx.rp.oauth.ClientSecret)
		}, jsonError(http.StatusBadRequest, "invalid_request")},
		{"par", "push with an unregistered redirect_uri", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.rp, set("redirect_uri", "https://evil.example/callback"), fx.rp.oauth.ClientID, fx.rp.oauth.ClientSecret)
		}, jsonError(http.StatusBadRequest, "invalid_request")},
		{"par", "push with an unknown scope", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.rp, set("scope", "openid bogus"), fx.rp.oauth.ClientID, fx.rp.oauth.ClientSecret)
		}, jsonError(http.StatusBadRequest, "invalid_scope")},
		{"par", "push with PKCE plain", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.rp, set("code_challenge", strings.Repeat("a", 43), "code_challenge_method", "plain"),
				fx.rp.oauth.ClientID, fx.rp.oauth.ClientSecret)
		}, jsonError(http.StatusBadRequest, "invalid_request")},
		{"par", "push by a public client without PKCE", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.public, set("code_challenge", "", "code_challenge_method", ""), "", "")
		}, jsonError(http.StatusBadRequest, "invalid_request")},
		{"par", "push with response_type token", func(t *testing.T, fx *conformanceFixture) outcome {
			return pushOutcome(t, fx.srv, fx.rp, set("response_type", "token"), fx.rp.oauth.ClientID, fx.rp.oauth.ClientSecret)
		}, jsonError(http.StatusBadRequest, "unsupported_response_type")},
	}
}

// dynamicRows: the dynamic plan (oidcc-dynamic-certification-test-plan):
// registration and private_key_jwt client authentication.
func dynamicRows() []conformanceRow {
	register := func(fx *conformanceFixture, t *testing.T, token string, metadata map[string]any) outcome {
		r := call(t, http.MethodPost, fx.srv.issuer+"/oauth2/register", token, metadata)
		code, _ := r.body["error"].(string)
		if r.status == http.StatusUnauthorized {
			code = "invalid_token" // RFC 6750: the code travels in WWW-Authenticate
		}
		return outcome{via: viaJSON, status: r.status, code: code}
	}
	metadata := func(edit ...any) map[string]any {
		m := map[string]any{"client_name": "Dyn", "redirect_uris": []string{"https://dyn.example/cb"}}
		for i := 0; i+1 < len(edit); i += 2 {
			m[edit[i].(string)] = edit[i+1]
		}
		return m
	}
	assertion := func(t *testing.T, fx *conformanceFixture, mutate func(*assertionClaims)) (string, string, *clientKey) {
		key := newClientKey(t, "RS256", "dyn-1")
		id, _ := fx.srv.client(t, authz.ClientSpec{Name: "JWT client", GrantTypes: []string{"client_credentials"},
			TokenEndpointAuthMethod: authz.AuthMethodPrivateKey, JWKS: key.jwks(t)})
		c := newAssertionClaims(id, fx.srv.issuer+authz.TokenPath)
		mutate(&c)
		return id, key.sign(t, c), key
	}
	return []conformanceRow{
		{"dynamic", "registration with a javascript: redirect URI", func(t *testing.T, fx *conformanceFixture) outcome {
			return register(fx, t, fx.srv.initialToken(t, 1, time.Hour), metadata("redirect_uris", []string{"javascript:alert(1)"}))
		}, jsonError(http.StatusBadRequest, "invalid_redirect_uri")},
		{"dynamic", "registration with a fragment in the redirect URI", func(t *testing.T, fx *conformanceFixture) outcome {
			return register(fx, t, fx.srv.initialToken(t, 1, time.Hour), metadata("redirect_uris", []string{"https://dyn.example/cb#frag"}))
		}, jsonError(http.StatusBadRequest, "invalid_redirect_uri")},
		{"dynamic", "registration asking for an admin scope", func(t *testing.T, fx *conformanceFixture) outcome {
			return register(fx, t, fx.srv.initialToken(t, 1, time.Hour), metadata("scope", "openid foyer:admin"))
		}, jsonError(http.StatusBadRequest, "invalid_client_metadata")},
		{"dynamic", "registration without an initial access token", func(t *testing.T, fx *conformanceFixture) outcome {
			return register(fx, t, "", metadata())
		}, jsonError(http.StatusUnauthorized, "invalid_token")},
		{"dynamic", "registration with a used-up initial access token", func(t *testing.T, fx *conformanceFixture) outcome {
			token := fx.srv.initialToken(t, 1, time.Hour)
			if first := register(fx, t, token, metadata()); first.status != http.StatusCreated {
				t.Fatalf("first registration: %s", first)
			}
			return register(fx, t, token, metadata())
		}, jsonError(http.StatusUnauthorized, "invalid_token")},
		{"dynamic", "private_key_jwt with the wrong audience", func(t *testing.T, fx *conformanceFixture) outcome {
			id, jwt, _ := assertion(t, fx, func(c *assertionClaims) { c.aud = "https://elsewhere.example/token" })
			return backChannel(t, fx.srv, authz.TokenPath, withGrant(id, jwt), "", "")
		}, jsonError(http.StatusUnauthorized, "invalid_client")},
		{"dynamic", "private_key_jwt with a reused jti", func(t *testing.T, fx *conformanceFixture) outcome {
			id, jwt, _ := assertion(t, fx, func(*assertionClaims) {})
			if first := backChannel(t, fx.srv, authz.TokenPath, withGrant(id, jwt), "", ""); first.status != http.StatusOK {
				t.Fatalf("first use of the assertion: %s", first)
			}
			return backChannel(t, fx.srv, authz.TokenPath, withGrant(id, jwt), "", "")
		}, jsonError(http.StatusUnauthorized, "invalid_client")},
	}
}
