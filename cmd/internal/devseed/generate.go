package devseed

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"foyer/storage"
)

// seededYears is how far back created_at goes.
const seededYears = 5

// Account is one generated account with everything the seed writes for it.
type Account struct {
	storage.Account
	HasPassword bool
	Groups      []int // indexes into the seed's groups
	// EmailFactor and PhoneFactor are the ids of an e-mail authenticator
	// on the confirmed address and a phone one on the confirmed number;
	// "" for none.
	EmailFactor, PhoneFactor string
	Sessions                 []storage.Session
	Provider                 string // external identity provider, "" for none
	Subject                  string
	// Organization is an index into the seed's organizations, -1 for
	// none; Member says whether the account is a member of it, Roles are
	// indexes into the seed's roles held there.
	Organization int
	Member       bool
	Roles        []int
}

// Generator makes account i of a seed the same way every time, whatever the
// batch or worker that asks: each account draws from a random stream of
// its own, keyed by the seed and its index.
type Generator struct {
	seed      uint64
	now       time.Time
	schema    []storage.AttributeDef
	usernames bool // the store signs in by username
	groups    int
	orgs      int
	roles     int
}

// NewGenerator returns the generator of a seed for a store's schema.
func NewGenerator(seed uint64, now time.Time, is *storage.IdentityStore, groups, orgs, roles int) *Generator {
	g := &Generator{seed: seed, now: now.UTC().Truncate(time.Microsecond), schema: is.Attributes,
		groups: groups, orgs: orgs, roles: roles}
	for _, t := range is.IdentifierTypes {
		if t == storage.IdentifierUsername {
			g.usernames = true
		}
	}
	return g
}

// Account generates account i (0-based) of storeID.
func (g *Generator) Account(storeID string, i int) Account {
	// Deterministic on purpose: the same seed makes the same accounts.
	r := rand.New(rand.NewPCG(g.seed, uint64(i))) //nolint:gosec // test data, never a secret
	p := person{given: pick(r, givenNames), family: pick(r, familyNames), n: g.number(i)}
	a := Account{Organization: -1}
	a.ID = randomID(r)
	a.StoreID = storeID
	a.Email = p.email(r)
	if g.usernames && r.Float64() < 0.7 {
		a.Username = p.username(r)
	}
	if r.Float64() < 0.4 {
		// The account's number after a prefix of fixed length: distinct.
		a.Phone = fmt.Sprintf("%s%08d", pick(r, phonePrefixes), p.n)
		a.PhoneConfirmed = r.Float64() < 0.8
	}
	a.Language = pick(r, languages)
	g.status(r, &a)
	a.Attributes = g.attributes(r, p)
	g.extras(r, &a)
	return a
}

// seedSpan is how many account numbers each seed has: seeds 1 to 100
// number their accounts apart, so runs with different seeds (foyer dev
// seed --force) never share an address, username or phone number.
const seedSpan = 100_000_000

// number is account i's number, which its identifiers carry: i+1 for
// seed 1, so the default seed's addresses look like people's.
func (g *Generator) number(i int) int {
	return int((g.seed+99)%100)*seedSpan + i + 1
}

// status decides status, confirmation and times: 93 % enabled, 5 %
// disabled, 2 % pending (never confirmed, never signed in).
func (g *Generator) status(r *rand.Rand, a *Account) {
	span := float64(seededYears * 365 * 24 * time.Hour)
	// Skewed to recent years, as sign-ups grow.
	a.CreatedAt = g.now.Add(-time.Duration(span * math.Pow(r.Float64(), 1.6))).Add(-time.Hour).Truncate(time.Microsecond)
	since := g.now.Sub(a.CreatedAt)
	a.UpdatedAt = a.CreatedAt.Add(time.Duration(r.Float64() * float64(since))).Truncate(time.Microsecond)
	switch x := r.Float64(); {
	case x < 0.93:
		a.Status = storage.AccountEnabled
	case x < 0.98:
		a.Status = storage.AccountDisabled
	default:
		a.Status = storage.AccountPending
		a.PhoneConfirmed = false
		return
	}
	a.EmailConfirmed = r.Float64() < 0.92
	// Registered without an activation step: confirmed, not yet proven.
	a.EmailUnproven = a.EmailConfirmed && r.Float64() < 0.05
	if r.Float64() < 0.87 {
		// Most sign-ins are recent: the last one leans to now.
		last := g.now.Add(-time.Duration(float64(since) * math.Pow(r.Float64(), 3))).Truncate(time.Microsecond)
		a.LastLoginAt = &last
	}
}

// extras decides password, groups, factors, sessions, external identity,
// organization and roles.
func (g *Generator) extras(r *rand.Rand, a *Account) {
	if r.Float64() < 0.12 {
		a.Provider = pick(r, providers)
		a.Subject = fmt.Sprintf("%d", 100_000_000_000+r.Int64N(900_000_000_000))
	}
	a.HasPassword = a.Provider == "" || r.Float64() < 0.5
	if g.groups > 0 && r.Float64() < 0.35 {
		for range 1 + r.IntN(3) {
			// Squared: the first groups are large, the last ones small.
			gi := int(float64(g.groups) * math.Pow(r.Float64(), 2))
			if !containsInt(a.Groups, gi) {
				a.Groups = append(a.Groups, gi)
			}
		}
	}
	if a.EmailConfirmed && r.Float64() < 0.15 {
		a.EmailFactor = randomID(r)
	}
	if a.PhoneConfirmed && r.Float64() < 0.25 {
		a.PhoneFactor = randomID(r)
	}
	if a.Status == storage.AccountEnabled && a.LastLoginAt != nil && r.Float64() < 0.1 {
		for range 1 + r.IntN(2) {
			a.Sessions = append(a.Sessions, g.session(r, a))
		}
	}
	if g.orgs > 0 && g.roles > 0 && r.Float64() < 0.12 {
		a.Organization = r.IntN(g.orgs)
		// Roles come with or without membership (a partner's people).
		a.Member = r.Float64() < 0.8
		if !a.Member || r.Float64() < 0.7 {
			for range 1 + r.IntN(2) {
				if ri := r.IntN(g.roles); !containsInt(a.Roles, ri) {
					a.Roles = append(a.Roles, ri)
				}
			}
		}
	}
}

func (g *Generator) session(r *rand.Rand, a *Account) storage.Session {
	seen := g.now.Add(-time.Duration(r.Int64N(int64(7 * 24 * time.Hour)))).Truncate(time.Microsecond)
	created := seen.Add(-time.Duration(r.Int64N(int64(14 * 24 * time.Hour)))).Truncate(time.Microsecond)
	amr := []string{"pwd"}
	if a.EmailFactor != "" || a.PhoneFactor != "" {
		amr = append(amr, "otp")
	}
	return storage.Session{
		ID: randomID(r), AccountID: a.ID, AuthTime: created, AMR: amr, IP: documentationIP(r),
		UserAgent: pick(r, userAgents), CreatedAt: created, LastSeenAt: seen,
		ExpiresAt: seen.Add(30 * 24 * time.Hour),
	}
}

// documentationIP is an address of the ranges reserved for documentation
// (RFC 5737, RFC 3849).
func documentationIP(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("192.0.2.%d", 1+r.IntN(254))
	case 1:
		return fmt.Sprintf("198.51.100.%d", 1+r.IntN(254))
	case 2:
		return fmt.Sprintf("203.0.113.%d", 1+r.IntN(254))
	}
	return fmt.Sprintf("2001:db8::%x", 1+r.IntN(0xfffe))
}

// person is the name an account's identifiers and attributes share; n is
// the account's number, which keeps its identifiers unique.
type person struct {
	given, family string
	n             int
}

// email is one of the shapes people's addresses take; the trailing number
// is the account's, and names have no digits, so no two accounts share one.
func (p person) email(r *rand.Rand) string {
	g, f := asciiFold(p.given), asciiFold(p.family)
	var local string
	switch r.IntN(5) {
	case 0:
		local = fmt.Sprintf("%s.%s%d", g, f, p.n)
	case 1:
		local = fmt.Sprintf("%s%s%d", g[:1], f, p.n)
	case 2:
		local = fmt.Sprintf("%s_%s.%d", f, g, p.n)
	case 3:
		local = fmt.Sprintf("%s%d", g, p.n)
	default:
		local = fmt.Sprintf("%s.%s.%d", g, f[:1], p.n)
	}
	return local + "@" + pick(r, mailDomains)
}

func (p person) username(r *rand.Rand) string {
	g, f := asciiFold(p.given), asciiFold(p.family)
	if r.IntN(2) == 0 {
		return fmt.Sprintf("%s%s%d", g, f[:1], p.n)
	}
	return fmt.Sprintf("%s_%s%d", g[:1], f, p.n)
}

// asciiFold is the lower-case ASCII spelling of a name for addresses.
var foldReplacer = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e", "ë", "e", "ç", "c", "ñ", "n",
	"á", "a", "í", "i", "ó", "o", "ú", "u", "ø", "o", "å", "a", "ł", "l", "ś", "s", "ń", "n",
	"ş", "s", "ı", "i", "ğ", "g", "ã", "a", "õ", "o", "ï", "i", "ê", "e", " ", "", "-", "")

func asciiFold(s string) string { return foldReplacer.Replace(strings.ToLower(s)) }

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func randomID(r *rand.Rand) string {
	var b [16]byte
	for i := range 2 {
		v := r.Uint64()
		for j := range 8 {
			b[i*8+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
