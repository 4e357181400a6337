package partnerlookup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on an answer: a partner's details are a few hundred bytes, so
// anything near these is a mistake or an attack, not a partner.
const (
	MaxBodyBytes   = 64 << 10
	MaxNameRunes   = 200
	maxDomains     = 100
	maxAttributes  = 100
	maxDomainBytes = 253
	maxValueRunes  = 1000
)

// answer is the webhook's 200 body.
type answer struct {
	Name       string            `json:"name"`
	Domains    []string          `json:"domains"`
	Attributes map[string]string `json:"attributes"`
}

// readAnswer turns the webhook's response into details: 200 with a valid
// body, 404 ErrPartnerUnknown, anything else an error saying why.
func readAnswer(resp *http.Response) (*PartnerDetails, error) {
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("%w: the webhook answered 404", ErrPartnerUnknown)
	default:
		return nil, fmt.Errorf("the webhook answered %d", resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if len(raw) > MaxBodyBytes {
		return nil, fmt.Errorf("the answer is larger than %d bytes", MaxBodyBytes)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("the answer is not the expected JSON object: %w", err)
	}
	return a.details()
}

// details validates the answer and returns it tidied: the name trimmed,
// domains lower-cased without duplicates.
func (a *answer) details() (*PartnerDetails, error) {
	name := strings.TrimSpace(a.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameRunes || strings.ContainsFunc(name, unicode.IsControl) {
		return nil, fmt.Errorf("the answer's name must be 1 to %d characters without control characters", MaxNameRunes)
	}
	domains, err := cleanDomains(a.Domains)
	if err != nil {
		return nil, err
	}
	if len(a.Attributes) > maxAttributes {
		return nil, fmt.Errorf("the answer has more than %d attributes", maxAttributes)
	}
	attrs := make(map[string]string, len(a.Attributes))
	for k, v := range a.Attributes {
		if k == "" || utf8.RuneCountInString(v) > maxValueRunes {
			return nil, fmt.Errorf("the answer's attribute %q is empty or longer than %d characters", k, maxValueRunes)
		}
		attrs[k] = v
	}
	return &PartnerDetails{Name: name, Domains: domains, Attributes: attrs}, nil
}

// cleanDomains checks that each domain looks like a host name (no
// scheme, path, port or spaces); whether it is one is for whoever uses it.
func cleanDomains(in []string) ([]string, error) {
	if len(in) > maxDomains {
		return nil, fmt.Errorf("the answer has more than %d domains", maxDomains)
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, d := range in {
		d = strings.ToLower(strings.TrimSpace(d))
		if !plausibleDomain(d) {
			return nil, errors.New("the answer has a domain that is not a host name")
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, nil
}

func plausibleDomain(d string) bool {
	if d == "" || len(d) > maxDomainBytes || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for _, r := range d {
		if !(r == '.' || r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > unicode.MaxASCII && unicode.IsLetter(r)) {
			return false
		}
	}
	return true
}
