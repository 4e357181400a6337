package mfa

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The parameters every authenticator app understands; anything else
// (SHA-256, 8 digits) is silently ignored by some apps, which then show
// wrong codes.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	// totpSkew is how many steps either side of now are accepted, for clock
	// drift and the seconds a user takes to type.
	totpSkew = 1
	// qrSize is the PNG's width and height in pixels; qrQuietZone the white
	// border in modules that scanners need around the symbol.
	qrSize      = 240
	qrQuietZone = 4
)

// TOTPKey is a new TOTP secret as shown at enrollment.
type TOTPKey struct {
	Secret string // base32, no padding: what a user types into an app by hand
	URL    string // otpauth://totp/...: what the QR code carries
}

// GenerateTOTP creates a random 160-bit secret (RFC 4226's recommended size for
// SHA-1) for accountName at issuer.
func GenerateTOTP(issuer, accountName string) (TOTPKey, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: accountName,
		Period:      totpPeriod,
		Digits:      totpDigits,
		Algorithm:   otp.AlgorithmSHA1,
		SecretSize:  20,
	})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("mfa: generate totp: %w", err)
	}
	return TOTPKey{Secret: key.Secret(), URL: key.URL()}, nil
}

// TOTPCode returns the code for secret at the given time.
func TOTPCode(secret string, at time.Time) (string, error) {
	return totpStepCode(secret, at.Unix()/totpPeriod)
}

func totpStepCode(secret string, step int64) (string, error) {
	if step < 0 {
		return "", errors.New("mfa: totp time before 1970")
	}
	code, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totp.ValidateOpts{
		Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", fmt.Errorf("mfa: totp secret: %w", err)
	}
	return code, nil
}

// VerifyTOTP accepts the code of the current step or one step either side and
// returns the step (unix/30) that matched, which the caller stores as the new
// lastUsedStep. A match at or before lastUsedStep is ErrReplay, so a code
// cannot be used twice, nor an older one after a newer. A code that matches no
// step, or is not exactly six digits, is ErrWrongCode.
func VerifyTOTP(secret, code string, now time.Time, lastUsedStep int64) (int64, error) {
	if !sixDigits(code) {
		return 0, ErrWrongCode
	}
	current := now.Unix() / totpPeriod
	matched, replayed := int64(-1), false
	// Every candidate is computed and compared, whatever matches first, so
	// the time taken does not say which step (if any) matched.
	for step := current - totpSkew; step <= current+totpSkew; step++ {
		want, err := totpStepCode(secret, step)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if step <= lastUsedStep {
			replayed = true
			continue
		}
		matched = step // the latest unused step wins if two steps collide
	}
	switch {
	case matched >= 0:
		return matched, nil
	case replayed:
		return 0, ErrReplay
	default:
		return 0, ErrWrongCode
	}
}

func sixDigits(code string) bool {
	if len(code) != totpDigits.Length() {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// TOTPQRCode renders otpauthURL as a 240x240 PNG on the server, so the secret
// never goes to a third-party QR service. The symbol is drawn at a whole
// number of pixels per module with a four-module quiet zone, which
// key.Image's plain scaling does not guarantee.
func TOTPQRCode(otpauthURL string) ([]byte, error) {
	code, err := qr.Encode(otpauthURL, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("mfa: qr encode: %w", err)
	}
	modules := code.Bounds().Dx()
	scale := qrSize / (modules + 2*qrQuietZone)
	if scale < 1 {
		return nil, fmt.Errorf("mfa: otpauth URL too long for a %dpx QR code", qrSize)
	}
	img := image.NewPaletted(image.Rect(0, 0, qrSize, qrSize), color.Palette{color.White, color.Black})
	offset := (qrSize - modules*scale) / 2
	for y := 0; y < modules; y++ {
		for x := 0; x < modules; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r >= 0x8000 {
				continue // light module
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetColorIndex(offset+x*scale+dx, offset+y*scale+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("mfa: qr png: %w", err)
	}
	return buf.Bytes(), nil
}
