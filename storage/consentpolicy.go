package storage

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// ConsentDocument is one consent of an application's consent policy: a
// versioned document (terms of service, privacy policy, a marketing
// opt-in). Customers accept a version; a new version needs a new
// acceptance, and the records of the old one stay as history.
type ConsentDocument struct {
	Name    string `json:"name"`    // e.g. "terms_of_service"
	Version string `json:"version"` // e.g. "2"
	// Title is shown to customers; empty means the theme's text for the
	// name ("account.consent.NAME").
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"` // where the document can be read
	// Required documents are accepted at registration (one checkbox for
	// all of them); the others are opt-in in the account portal.
	Required bool `json:"required,omitempty"`
}

// DefaultConsentPolicy is the policy of an application that stores none.
func DefaultConsentPolicy() []ConsentDocument {
	return []ConsentDocument{
		{Name: "terms_of_service", Version: "1", Required: true},
		{Name: "privacy_policy", Version: "1", Required: true},
		{Name: "marketing", Version: "1"},
	}
}

// ErrInvalidConsentPolicy wraps every problem ValidateConsentPolicy finds.
var ErrInvalidConsentPolicy = errors.New("invalid consent policy")

var consentName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidateConsentPolicy reports every problem at once.
func ValidateConsentPolicy(docs []ConsentDocument) error {
	var problems []string
	seen := map[string]bool{}
	for _, d := range docs {
		if !consentName.MatchString(d.Name) {
			problems = append(problems, fmt.Sprintf("name %q: lower-case letters, digits and _ (start with a letter, at most 64)", d.Name))
		}
		if seen[d.Name] {
			problems = append(problems, fmt.Sprintf("%q appears twice", d.Name))
		}
		seen[d.Name] = true
		if d.Version == "" || len(d.Version) > 32 || strings.IndexFunc(d.Version, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			problems = append(problems, fmt.Sprintf("%s: version %q must be 1 to 32 characters without spaces", d.Name, d.Version))
		}
		if len(d.Title) > 200 || strings.IndexFunc(d.Title, unicode.IsControl) >= 0 {
			problems = append(problems, fmt.Sprintf("%s: title of at most 200 characters, on one line", d.Name))
		}
		if d.URL != "" {
			if u, err := url.Parse(d.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				problems = append(problems, fmt.Sprintf("%s: url %q is not an absolute http(s) URL", d.Name, d.URL))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidConsentPolicy, strings.Join(problems, "; "))
	}
	return nil
}

// ConsentPolicyOf is the application's policy, the default when it has
// none.
func ConsentPolicyOf(app *Application) []ConsentDocument {
	if app == nil || app.Consents == nil {
		return DefaultConsentPolicy()
	}
	return app.Consents
}

// RepublishedConsents are the names of the documents whose version
// differs between the old and the new policy: publishing them ends the
// acceptances of the versions no longer in use. A document dropped from
// the policy is no new version, so its acceptances stand.
func RepublishedConsents(old, updated []ConsentDocument) []string {
	was := map[string]string{}
	for _, d := range old {
		was[d.Name] = d.Version
	}
	var out []string
	for _, d := range updated {
		if v, ok := was[d.Name]; ok && v != d.Version {
			out = append(out, d.Name)
		}
	}
	return out
}

// VersionsInUse are the versions of the consent the policies of the
// store's applications name: several applications may share a store and a
// document, and an acceptance ends only when none of them uses its version.
func VersionsInUse(apps []Application, storeID, consent string) []string {
	var out []string
	for i := range apps {
		if apps[i].StoreID != storeID {
			continue
		}
		for _, d := range ConsentPolicyOf(&apps[i]) {
			if d.Name == consent && !slices.Contains(out, d.Version) {
				out = append(out, d.Version)
			}
		}
	}
	return out
}
