package upstream

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The Identity fields a claim mapping may target; any other target is a
// store attribute.
var identityTargets = map[string]bool{
	"subject": true, "email": true, "email_verified": true, "phone": true, "username": true, "language": true,
}

// mapClaims turns the upstream's claims into an Identity through the
// mapping (target → claim). The subject is required; an e-mail counts as
// verified only when the upstream says so.
func mapClaims(mapping map[string]string, claims map[string]any) (*Identity, error) {
	get := func(target string) string { return claimString(claims[mapping[target]]) }
	id := &Identity{Subject: get("subject"), Email: strings.TrimSpace(get("email")), Phone: get("phone"),
		Username: get("username"), Language: get("language"), ACR: claimString(claims["acr"])}
	if id.Subject == "" {
		return nil, fmt.Errorf("upstream claims name no subject (claim %q): %w", mapping["subject"], ErrDenied)
	}
	id.EmailVerified = id.Email != "" && claimBool(claims[mapping["email_verified"]])
	if amr, ok := claims["amr"].([]any); ok {
		for _, v := range amr {
			if s, ok := v.(string); ok && s != "" { // RFC 8176: names, not numbers
				id.AMR = append(id.AMR, s)
			}
		}
	}
	for target, claim := range mapping {
		if identityTargets[target] {
			continue
		}
		if v := claimString(claims[claim]); v != "" {
			if id.Attributes == nil {
				id.Attributes = map[string]string{}
			}
			id.Attributes[target] = v
		}
	}
	return id, nil
}

// claimString is a claim as text: strings as they are, numbers without an
// exponent (GitHub's numeric user id), booleans as "true"/"false".
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	default:
		return ""
	}
}

// claimBool reads a boolean claim; Apple sends email_verified as "true".
func claimBool(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	default:
		return false
	}
}
