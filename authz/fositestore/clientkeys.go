package fositestore

import (
	"encoding/json"

	"github.com/go-jose/go-jose/v3"
)

// signingKeys parses a client's registered JSON Web Key Set for fosite.
// nil (no keys registered, or unparsable) makes fosite fall back to the
// jwks_uri or refuse private_key_jwt.
func signingKeys(raw []byte) *jose.JSONWebKeySet {
	if len(raw) == 0 {
		return nil
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil
	}
	return SigningKeySet(&set)
}

// SigningKeySet keeps the keys fit to verify signatures and marks them
// use=sig: fosite skips any key whose use is not "sig", yet RFC 7517 makes
// use optional and many clients publish keys without it.
func SigningKeySet(set *jose.JSONWebKeySet) *jose.JSONWebKeySet {
	out := &jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(set.Keys))}
	for _, k := range set.Keys {
		switch k.Use {
		case "sig":
		case "":
			k.Use = "sig"
		default:
			continue
		}
		if !k.IsPublic() {
			// A private key sent by mistake is never used as such.
			k = k.Public()
		}
		out.Keys = append(out.Keys, k)
	}
	return out
}
