package keys

import (
	"bytes"
	"errors"
	"testing"
)

func testSecret(b byte) []byte { return bytes.Repeat([]byte{b}, MinSecretLength) }

func TestDeriveKey(t *testing.T) {
	secret := testSecret(1)
	tests := []struct {
		name           string
		secretA, secB  []byte
		purposeA, purB string
		wantEqual      bool
	}{
		{"same secret and purpose", secret, secret, PurposeCookies, PurposeCookies, true},
		{"different purposes", secret, secret, PurposeCookies, PurposeHMAC, false},
		{"different secrets", secret, testSecret(2), PurposeSigningKeys, PurposeSigningKeys, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := DeriveKey(tt.secretA, tt.purposeA), DeriveKey(tt.secB, tt.purB)
			if len(a) != 32 || len(b) != 32 {
				t.Fatalf("lengths %d, %d; want 32", len(a), len(b))
			}
			if bytes.Equal(a, b) != tt.wantEqual {
				t.Fatalf("equal = %v, want %v", !tt.wantEqual, tt.wantEqual)
			}
			if bytes.Equal(a, tt.secretA) {
				t.Fatal("derived key equals the secret")
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	s, err := newSealer(testSecret(1))
	if err != nil {
		t.Fatal(err)
	}
	other, err := newSealer(testSecret(2))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("pkcs8 der bytes")
	sealed, err := s.seal(plain, "kid-a", ES256)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) {
		t.Fatal("ciphertext contains the plaintext")
	}
	again, _ := s.seal(plain, "kid-a", ES256)
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals are identical: nonce not random")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1

	tests := []struct {
		name    string
		sealer  *sealer
		data    []byte
		kid     string
		alg     string
		wantErr bool
	}{
		{"right row and secret", s, sealed, "kid-a", ES256, false},
		{"other kid", s, sealed, "kid-b", ES256, true},
		{"other algorithm", s, sealed, "kid-a", RS256, true},
		{"wrong secret", other, sealed, "kid-a", ES256, true},
		{"tampered", s, tampered, "kid-a", ES256, true},
		{"truncated", s, sealed[:10], "kid-a", ES256, true},
		{"empty", s, nil, "kid-a", ES256, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sealer.open(tt.data, tt.kid, tt.alg)
			if tt.wantErr {
				if !errors.Is(err, ErrDecrypt) {
					t.Fatalf("err = %v, want ErrDecrypt", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("open = %q, %v", got, err)
			}
		})
	}
}

func TestShortSecret(t *testing.T) {
	if _, err := newSealer(make([]byte, MinSecretLength-1)); !errors.Is(err, ErrSecretTooShort) {
		t.Fatalf("err = %v, want ErrSecretTooShort", err)
	}
	m := NewManager(nil, []byte("short"))
	if err := m.EnsureKeys(t.Context()); !errors.Is(err, ErrSecretTooShort) {
		t.Fatalf("EnsureKeys err = %v, want ErrSecretTooShort", err)
	}
}

func TestNewKeyRoundTrip(t *testing.T) {
	s, err := newSealer(testSecret(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range algorithms() {
		t.Run(alg, func(t *testing.T) {
			row, priv, err := newKey(s, alg, testNow())
			if err != nil {
				t.Fatal(err)
			}
			if row.ID != priv.KeyID || row.Algorithm != alg {
				t.Fatalf("row %s/%s, key %s", row.ID, row.Algorithm, priv.KeyID)
			}
			if _, err := parsePublic(row); err != nil {
				t.Fatal(err)
			}
			got, err := openPrivate(s, row)
			if err != nil {
				t.Fatal(err)
			}
			if got.KeyID != row.ID || got.Algorithm != alg || got.IsPublic() {
				t.Fatalf("opened %+v", got)
			}
		})
	}
}
