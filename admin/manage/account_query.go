package manage

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"foyer/storage"
)

// The account search's parameter names (the API's query, the console's
// form, a bulk job's selection); attributes are AttrParam+name and
// AttrPrefixParam+name.
const (
	AttrParam       = "attr."
	AttrPrefixParam = "attr_prefix."
)

// SearchFields are the search's fixed parameters, in the order the
// console's panel shows them.
var SearchFields = []string{"email", "email_prefix", "username", "username_prefix", "phone", "phone_prefix",
	"status", "group", "organization", "role", "identity_verified", "email_verified", "provider",
	"created_after", "created_before", "last_login_after", "last_login_before"}

// attrName is an attribute's name as the store schema allows it.
var attrName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// IsSearchField reports whether name is a search parameter (a fixed one,
// or attr.<name> / attr_prefix.<name> of a well-formed attribute name).
func IsSearchField(name string) bool {
	if slices.Contains(SearchFields, name) {
		return true
	}
	for _, p := range []string{AttrParam, AttrPrefixParam} {
		if n, ok := strings.CutPrefix(name, p); ok && attrName.MatchString(n) {
			return true
		}
	}
	return false
}

// Account search limits.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 200
	maxSearchValue     = 320
)

// ParseAccountQuery reads the search from query or form values; other
// parameters are ignored. Only a limit that is not a number fails here;
// Search validates the rest.
func ParseAccountQuery(v url.Values) (AccountQuery, error) {
	q := AccountQuery{
		Email: v.Get("email"), Username: v.Get("username"), Phone: v.Get("phone"),
		EmailPrefix: v.Get("email_prefix"), UsernamePrefix: v.Get("username_prefix"), PhonePrefix: v.Get("phone_prefix"),
		Status: v.Get("status"), Group: v.Get("group"), Organization: v.Get("organization"), Role: v.Get("role"),
		IdentityVerified: v.Get("identity_verified"), EmailVerified: v.Get("email_verified"), Provider: v.Get("provider"),
		CreatedAfter: v.Get("created_after"), CreatedBefore: v.Get("created_before"),
		LastLoginAfter: v.Get("last_login_after"), LastLoginBefore: v.Get("last_login_before"),
		Sort: v.Get("sort"), Cursor: v.Get("cursor"),
	}
	for k := range v {
		val := strings.TrimSpace(v.Get(k))
		if val == "" {
			continue
		}
		if n, ok := strings.CutPrefix(k, AttrParam); ok {
			q.Attributes = setKey(q.Attributes, n, val)
		} else if n, ok := strings.CutPrefix(k, AttrPrefixParam); ok {
			q.AttributePrefixes = setKey(q.AttributePrefixes, n, val)
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, Problems{"limit": fmt.Sprintf("a whole number from 1 to %d", MaxSearchLimit)}.Err()
		}
		q.Limit = n
	}
	return q, nil
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// Values is the search as parameters (those set only), without limit and
// cursor: the console's links and a bulk job's selection carry it.
func (q AccountQuery) Values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"email", q.Email}, {"email_prefix", q.EmailPrefix}, {"username", q.Username},
		{"username_prefix", q.UsernamePrefix}, {"phone", q.Phone}, {"phone_prefix", q.PhonePrefix},
		{"status", q.Status}, {"group", q.Group}, {"organization", q.Organization}, {"role", q.Role},
		{"identity_verified", q.IdentityVerified}, {"email_verified", q.EmailVerified}, {"provider", q.Provider},
		{"created_after", q.CreatedAfter}, {"created_before", q.CreatedBefore},
		{"last_login_after", q.LastLoginAfter}, {"last_login_before", q.LastLoginBefore}, {"sort", q.Sort}} {
		if s := strings.TrimSpace(kv[1]); s != "" {
			v.Set(kv[0], s)
		}
	}
	for n, val := range q.Attributes {
		if s := strings.TrimSpace(val); s != "" {
			v.Set(AttrParam+n, s)
		}
	}
	for n, val := range q.AttributePrefixes {
		if s := strings.TrimSpace(val); s != "" {
			v.Set(AttrPrefixParam+n, s)
		}
	}
	return v
}

// search validates q against the store's schema and turns it into the
// storage search, collecting every problem.
func (q AccountQuery) search(st *storage.IdentityStore) (PreparedSearch, error) {
	p := Problems{}
	text := func(field, s string) string {
		s = strings.TrimSpace(s)
		if len(s) > maxSearchValue {
			p.Add(field, fmt.Sprintf("use at most %d characters", maxSearchValue))
		}
		return s
	}
	out := storage.AccountSearch{
		Email: text("email", q.Email), EmailPrefix: text("email_prefix", q.EmailPrefix),
		Username: text("username", q.Username), UsernamePrefix: text("username_prefix", q.UsernamePrefix),
		Phone: phone(text("phone", q.Phone)), PhonePrefix: phone(text("phone_prefix", q.PhonePrefix)),
		GroupID: text("group", q.Group), OrganizationID: text("organization", q.Organization), RoleID: text("role", q.Role),
		Provider: text("provider", q.Provider),
	}
	out.Attributes = q.attributeMatches(st, p)
	switch q.Status {
	case "", string(storage.AccountEnabled), string(storage.AccountDisabled), string(storage.AccountPending):
		out.Status = storage.AccountStatus(q.Status)
	default:
		p.Add("status", "one of enabled, disabled, pending")
	}
	out.IdentityVerified = searchBool(p, "identity_verified", q.IdentityVerified)
	out.EmailVerified = searchBool(p, "email_verified", q.EmailVerified)
	out.CreatedAfter = searchTime(p, "created_after", q.CreatedAfter)
	out.CreatedBefore = searchTime(p, "created_before", q.CreatedBefore)
	out.LastLoginAfter = searchTime(p, "last_login_after", q.LastLoginAfter)
	out.LastLoginBefore = searchTime(p, "last_login_before", q.LastLoginBefore)
	out.Sort = storage.AccountSortCreatedDesc
	if q.Sort != "" {
		out.Sort = storage.AccountSort(q.Sort)
		if !slices.Contains(storage.AccountSorts, out.Sort) {
			p.Add("sort", "one of -created, created, email, -email, last_login, -last_login")
		}
	}
	out.Limit = q.Limit
	switch {
	case q.Limit == 0:
		out.Limit = DefaultSearchLimit
	case q.Limit < 1 || q.Limit > MaxSearchLimit:
		p.Add("limit", fmt.Sprintf("a whole number from 1 to %d", MaxSearchLimit))
	}
	prepared := PreparedSearch{AccountSearch: out}
	if q.Cursor != "" && len(p) == 0 {
		k, back, err := decodeSearchCursor(q, q.Cursor)
		if err != nil {
			p.Add("cursor", "not a cursor of this search; start from the first page")
		}
		prepared.After, prepared.Backward = k, back
	}
	return prepared, p.Err()
}

// attributeMatches are the attribute conditions; a name the store's
// schema does not define, or hides from the admin console, is a problem
// of its parameter.
func (q AccountQuery) attributeMatches(st *storage.IdentityStore, p Problems) []storage.AttributeMatch {
	var out []storage.AttributeMatch
	add := func(param string, m map[string]string, prefix bool) {
		for _, name := range sortedKeys(m) {
			v := strings.TrimSpace(m[name])
			if v == "" {
				continue
			}
			if !slices.ContainsFunc(st.Attributes, func(d storage.AttributeDef) bool { return d.Name == name && d.AdminVisible }) {
				p.Add(param+name, "the identity store has no such attribute the admin console shows")
				continue
			}
			out = append(out, storage.AttributeMatch{Name: name, Value: v, Prefix: prefix})
		}
	}
	add(AttrParam, q.Attributes, false)
	add(AttrPrefixParam, q.AttributePrefixes, true)
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// phone drops the spaces, dashes and brackets people type into a number:
// phones are stored in E.164.
func phone(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(" -()/.", r) {
			return -1
		}
		return r
	}, s)
}

func searchBool(p Problems, field, s string) *bool {
	switch s {
	case "":
		return nil
	case "true":
		return new(true)
	case "false":
		return new(false)
	}
	p.Add(field, "true or false")
	return nil
}

// searchTimeLayouts: RFC 3339, and what a browser's date and
// datetime-local fields send (read as UTC).
var searchTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

func searchTime(p Problems, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range searchTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	p.Add(field, "a time in RFC 3339 form, e.g. 2026-01-31T09:00:00Z")
	return time.Time{}
}

// searchCursor is a page's position: the search it belongs to (its sort
// and a digest of its filters) and the last row's key. A cursor of
// another search would land at a meaningless place, so it is refused.
type searchCursor struct {
	Sort      string     `json:"s"`
	Filter    string     `json:"f"`
	ID        string     `json:"i"`
	Created   time.Time  `json:"c"`
	Email     string     `json:"e,omitempty"`
	LastLogin *time.Time `json:"l,omitempty"`
	// Back: the page before this row (Page.Prev), not after it.
	Back bool `json:"b,omitempty"`
}

// filterDigest identifies the search's filters.
func (q AccountQuery) filterDigest() string {
	v := q.Values()
	v.Del("sort")
	sum := sha256.Sum256([]byte(v.Encode()))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

func encodeSearchCursor(q AccountQuery, k storage.AccountSearchKey, back bool) string {
	b, _ := json.Marshal(searchCursor{Sort: q.Sort, Filter: q.filterDigest(), ID: k.ID, Created: k.CreatedAt,
		Email: k.Email, LastLogin: k.LastLoginAt, Back: back})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSearchCursor(q AccountQuery, s string) (*storage.AccountSearchKey, bool, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false, err
	}
	var c searchCursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, false, err
	}
	if c.ID == "" || c.Sort != q.Sort || c.Filter != q.filterDigest() {
		return nil, false, fmt.Errorf("cursor of another search")
	}
	return &storage.AccountSearchKey{ID: c.ID, CreatedAt: c.Created, Email: c.Email, LastLoginAt: c.LastLogin}, c.Back, nil
}
