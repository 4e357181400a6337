package mfa

import (
	"bytes"
	"encoding/base32"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is RFC 6238 Appendix B's SHA-1 key, the ASCII "12345678901234567890".
var rfcSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))

// rfcVectors are Appendix B's SHA-1 rows. The RFC prints 8 digits; the 6-digit
// code for the same key and time is the last 6 of them, as both are the same
// truncated value reduced mod 10^8 and mod 10^6.
var rfcVectors = []struct {
	unix  int64
	eight string
}{
	{59, "94287082"},
	{1111111109, "07081804"},
	{1111111111, "14050471"},
	{1234567890, "89005924"},
	{2000000000, "69279037"},
	{20000000000, "65353130"},
}

func TestTOTPCodeRFC6238(t *testing.T) {
	for _, v := range rfcVectors {
		want := v.eight[2:]
		got, err := TOTPCode(rfcSecret, time.Unix(v.unix, 0))
		if err != nil || got != want {
			t.Errorf("TOTPCode(t=%d) = %q, %v; want %q", v.unix, got, err, want)
		}
		step, err := VerifyTOTP(rfcSecret, want, time.Unix(v.unix, 0), -1)
		if err != nil || step != v.unix/30 {
			t.Errorf("VerifyTOTP(t=%d) = %d, %v; want step %d", v.unix, step, err, v.unix/30)
		}
	}
}

func TestVerifyTOTPWindow(t *testing.T) {
	now := time.Unix(1234567890, 0)
	current := now.Unix() / 30
	tests := []struct {
		offset int64 // steps between the code and now
		err    error
	}{
		{-2, ErrWrongCode},
		{-1, nil},
		{0, nil},
		{1, nil},
		{2, ErrWrongCode},
	}
	for _, tt := range tests {
		code, err := TOTPCode(rfcSecret, time.Unix((current+tt.offset)*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		step, err := VerifyTOTP(rfcSecret, code, now, 0)
		if !errors.Is(err, tt.err) {
			t.Errorf("offset %d: err = %v, want %v", tt.offset, err, tt.err)
		}
		if tt.err == nil && step != current+tt.offset {
			t.Errorf("offset %d: step = %d, want %d", tt.offset, step, current+tt.offset)
		}
	}
}

func TestVerifyTOTPReplay(t *testing.T) {
	now := time.Unix(1234567890, 0)
	current := now.Unix() / 30
	codeAt := func(step int64) string {
		c, err := TOTPCode(rfcSecret, time.Unix(step*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		code     string
		lastUsed int64
		want     int64
		err      error
	}{
		{"first use", codeAt(current), current - 5, current, nil},
		{"same step again", codeAt(current), current, 0, ErrReplay},
		{"older step after a newer one", codeAt(current - 1), current, 0, ErrReplay},
		{"previous step after it was used", codeAt(current - 1), current - 1, 0, ErrReplay},
		{"next step after the current one", codeAt(current + 1), current, current + 1, nil},
		{"wrong code is wrong, not replay", "000000", current + 1, 0, ErrWrongCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "wrong code is wrong, not replay" && (tt.code == codeAt(current-1) || tt.code == codeAt(current) || tt.code == codeAt(current+1)) {
				t.Skip("000000 happens to be a valid code")
			}
			step, err := VerifyTOTP(rfcSecret, tt.code, now, tt.lastUsed)
			if !errors.Is(err, tt.err) || step != tt.want {
				t.Fatalf("VerifyTOTP = %d, %v; want %d, %v", step, err, tt.want, tt.err)
			}
		})
	}
}

func TestVerifyTOTPMalformed(t *testing.T) {
	now := time.Unix(1234567890, 0)
	good, _ := TOTPCode(rfcSecret, now)
	for _, code := range []string{"", "12345", "1234567", good + "0", " " + good, good[:5] + "a", "１２３４５６", "-12345", "+12345", "12 345"} {
		if _, err := VerifyTOTP(rfcSecret, code, now, 0); !errors.Is(err, ErrWrongCode) {
			t.Errorf("VerifyTOTP(%q) err = %v, want ErrWrongCode", code, err)
		}
	}
	if _, err := VerifyTOTP("not base32!", "123456", now, 0); err == nil || errors.Is(err, ErrWrongCode) {
		t.Errorf("a broken secret gave %v; want an error that is not ErrWrongCode", err)
	}
}

func TestGenerateTOTP(t *testing.T) {
	key, err := GenerateTOTP("Foyer", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(key.Secret, "=") || len(key.Secret) != 32 { // 20 bytes in base32
		t.Errorf("secret %q: want 32 base32 characters without padding", key.Secret)
	}
	u, err := url.Parse(key.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("URL %q: %v", key.URL, err)
	}
	q := u.Query()
	for k, want := range map[string]string{"secret": key.Secret, "issuer": "Foyer", "algorithm": "SHA1", "digits": "6", "period": "30"} {
		if q.Get(k) != want {
			t.Errorf("URL %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if u.Path != "/Foyer:alice@example.com" {
		t.Errorf("URL label %q", u.Path)
	}
	other, _ := GenerateTOTP("Foyer", "alice@example.com")
	if other.Secret == key.Secret {
		t.Error("two generated secrets are equal")
	}
	now := time.Now()
	code, _ := TOTPCode(key.Secret, now)
	if _, err := VerifyTOTP(key.Secret, code, now, 0); err != nil {
		t.Errorf("a generated key's own code is refused: %v", err)
	}
	if _, err := GenerateTOTP("", "alice"); err == nil {
		t.Error("empty issuer accepted")
	}
}

func TestTOTPQRCode(t *testing.T) {
	key, err := GenerateTOTP("Foyer", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	data, err := TOTPQRCode(key.URL)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 240 || b.Dy() != 240 {
		t.Fatalf("size %v, want 240x240", b)
	}
	dark := 0
	for y := 0; y < 240; y++ {
		for x := 0; x < 240; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if r < 0x8000 {
				dark++
				if x < 4*4 || y < 4*4 || x >= 240-16 || y >= 240-16 {
					t.Fatalf("dark pixel at (%d,%d) inside the quiet zone", x, y)
				}
			}
		}
	}
	if dark < 240*240/10 {
		t.Errorf("only %d dark pixels: no symbol drawn", dark)
	}
	if _, err := TOTPQRCode(strings.Repeat("x", 3000)); err == nil {
		t.Error("a URL too long for 240px was rendered")
	}
}
