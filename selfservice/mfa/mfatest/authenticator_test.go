package mfatest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// challenge is 32 bytes of 0xfb, whose base64url uses '-' and '_': a
// std-base64 or padded encoding would show.
var challenge = base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("\xfb", 32)))

const creation = `{"rp":{"id":"id.example.com","name":"Foyer"},"user":{"id":"YWNjdC0x","name":"a","displayName":"A"},
"challenge":"%s","pubKeyCredParams":[{"type":"public-key","alg":-7}]}`

func TestBrowserShapedJSON(t *testing.T) {
	a := NewAuthenticator("id.example.com", "https://id.example.com")
	out, err := a.Create([]byte(strings.Replace(creation, "%s", challenge, 1)))
	if err != nil {
		t.Fatal(err)
	}
	cd := checkCredentialJSON(t, out, "attestationObject")
	wantCD := `{"type":"webauthn.create","challenge":"` + challenge + `","origin":"https://id.example.com","crossOrigin":false}`
	if cd != wantCD {
		t.Errorf("clientDataJSON %s\nwant %s", cd, wantCD)
	}
	out, err = a.Get([]byte(`{"challenge":"` + challenge + `","rpId":"id.example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	cd = checkCredentialJSON(t, out, "signature")
	if !strings.HasPrefix(cd, `{"type":"webauthn.get"`) {
		t.Errorf("assertion clientDataJSON %s", cd)
	}
	if _, err := a.Get([]byte(`{"challenge":"` + challenge + `","rpId":"other.example"}`)); err == nil {
		t.Error("Get answered for an RP it has no credential for")
	}
	if _, err := a.Get([]byte(`{"challenge":"` + challenge + `","rpId":"id.example.com","allowCredentials":[{"type":"public-key","id":"AAAA"}]}`)); err == nil {
		t.Error("Get answered with a credential not in allowCredentials")
	}
}

// checkCredentialJSON checks the fields every PublicKeyCredential JSON has,
// that binary fields are unpadded base64url, and returns clientDataJSON.
func checkCredentialJSON(t *testing.T, out []byte, binaryField string) string {
	t.Helper()
	var cred struct {
		ID, RawID, Type string
		Response        map[string]any
	}
	if err := json.Unmarshal(out, &cred); err != nil {
		t.Fatal(err)
	}
	if cred.Type != "public-key" || cred.ID == "" || cred.ID != cred.RawID {
		t.Errorf("id %q rawId %q type %q", cred.ID, cred.RawID, cred.Type)
	}
	for _, f := range []string{"clientDataJSON", "authenticatorData", binaryField} {
		s, _ := cred.Response[f].(string)
		if _, err := base64.RawURLEncoding.DecodeString(s); err != nil || s == "" {
			t.Errorf("response.%s = %q is not unpadded base64url", f, s)
		}
	}
	cd, _ := base64.RawURLEncoding.DecodeString(cred.Response["clientDataJSON"].(string))
	return string(cd)
}

func TestSignCounter(t *testing.T) {
	a := NewAuthenticator("id.example.com", "https://id.example.com")
	counts := []uint32{}
	read := func() {
		authData := a.authData(0, nil)
		counts = append(counts, uint32(authData[33])<<24|uint32(authData[34])<<16|uint32(authData[35])<<8|uint32(authData[36]))
	}
	read()
	read()
	a.SetSignCount(7)
	read()
	read()
	if got := counts; got[0] != 1 || got[1] != 2 || got[2] != 7 || got[3] != 8 {
		t.Fatalf("counts %v, want [1 2 7 8]", got)
	}
}
