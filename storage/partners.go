package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"time"
)

// PartnerCode lets people join a partner organization when they register
// (seed 003): the operator registers the partner without members and hands
// out the code. Only its SHA-256 digest is stored; the code is shown once.
type PartnerCode struct {
	OrganizationID string
	StoreID        string
	CodeHash       []byte
	ExpiresAt      *time.Time // nil: never
	MaxUses        int        // 0: no limit
	Uses           int
	CreatedAt      time.Time
}

// PartnerLookup is an application's webhook that resolves a partner code
// Foyer does not know to the partner's details, so the partner can be
// created on the fly. SecretSealed is the HMAC key, sealed with the system
// secret (storage/seal).
type PartnerLookup struct {
	ApplicationID string
	URL           string
	SecretSealed  []byte
	Timeout       time.Duration
	UpdatedAt     time.Time
}

// Partners reads and writes partner codes and partner lookup webhooks.
type Partners interface {
	// SetPartnerCode gives the organization c names a new code, replacing
	// any it had (rotation: the old code stops working at once); fills in
	// CreatedAt when zero and resets Uses. The organization must be a
	// partner organization of c.StoreID, else ErrNotFound.
	SetPartnerCode(ctx context.Context, c *PartnerCode) error
	// GetPartnerCode reads the organization's code (its digest and
	// limits); ErrNotFound when it has none.
	GetPartnerCode(ctx context.Context, storeID, organizationID string) (*PartnerCode, error)
	// DeletePartnerCode removes the organization's code; ErrNotFound when
	// it had none.
	DeletePartnerCode(ctx context.Context, storeID, organizationID string) error
	// RedeemPartnerCode counts one use of the store's code whose digest is
	// hash and returns its organization. An unknown, expired or used-up
	// code is ErrNotFound and counts nothing. Call it inside the
	// registration's transaction, so that a registration that fails later
	// gives the use back.
	RedeemPartnerCode(ctx context.Context, storeID string, hash []byte, now time.Time) (*Organization, error)

	// SetPartnerLookup creates or replaces the application's webhook.
	SetPartnerLookup(ctx context.Context, l *PartnerLookup) error
	// GetPartnerLookup reads it; ErrNotFound when the application has none.
	GetPartnerLookup(ctx context.Context, applicationID string) (*PartnerLookup, error)
	// DeletePartnerLookup removes it; ErrNotFound when there was none.
	DeletePartnerLookup(ctx context.Context, applicationID string) error
}

// partnerCodeAlphabet is Crockford's base32: no I, L, O or U, so a code
// read aloud or typed from paper survives.
const partnerCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewPartnerCode returns a fresh partner code: 20 symbols (100 bits) in
// groups of four, e.g. "7KQ2-M9XD-4TWB-P0ZR-H3CE".
func NewPartnerCode() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	var sb strings.Builder
	for i, v := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(partnerCodeAlphabet[int(v)%len(partnerCodeAlphabet)])
	}
	return sb.String()
}

// PartnerCodeDigest is the digest a partner code is stored and looked up
// by. It ignores case, spaces and dashes, and reads the letters people
// confuse with digits (O, I, L) as those digits.
func PartnerCodeDigest(code string) []byte {
	var sb strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch r {
		case ' ', '-', '\t':
		case 'O':
			sb.WriteByte('0')
		case 'I', 'L':
			sb.WriteByte('1')
		default:
			sb.WriteRune(r)
		}
	}
	sum := sha256.Sum256([]byte(sb.String()))
	return sum[:]
}
