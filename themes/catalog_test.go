package themes

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func embeddedCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := fs.ReadFile(defaultFS, "default/locales/"+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return m
}

// TestCatalogsComplete keeps every embedded language in step with English:
// the same keys, and the same fmt verbs in the same order.
func TestCatalogsComplete(t *testing.T) {
	en := embeddedCatalog(t, "en")
	files, err := fs.Glob(defaultFS, "default/locales/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(f, "default/locales/"), ".json")
		if lang == "en" {
			continue
		}
		other := embeddedCatalog(t, lang)
		for k, v := range en {
			ov, ok := other[k]
			if !ok {
				t.Errorf("%s.json lacks %q", lang, k)
				continue
			}
			if a, b := Verbs(v), Verbs(ov); fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("%s.json %q has verbs %v, en has %v", lang, k, b, a)
			}
			if strings.TrimSpace(ov) == "" {
				t.Errorf("%s.json %q is empty", lang, k)
			}
		}
		for k := range other {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q, which en.json lacks", lang, k)
			}
		}
	}
}

// TestTemplateKeysExist scans the embedded templates for message keys: the
// argument of t and the string literals that name keys (defaults passed
// through or). Asset file names are excluded.
func TestTemplateKeysExist(t *testing.T) {
	en := embeddedCatalog(t, "en")
	action := regexp.MustCompile(`\{\{.*?\}\}`)
	literal := regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)
	files, err := fs.Glob(defaultFS, "default/templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := fs.ReadFile(defaultFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range action.FindAllString(string(b), -1) {
			if strings.Contains(a, "asset ") {
				continue
			}
			for _, m := range literal.FindAllStringSubmatch(a, -1) {
				seen[m[1]] = true
				if _, ok := en[m[1]]; !ok {
					t.Errorf("%s uses key %q missing from en.json", f, m[1])
				}
			}
		}
	}
	for _, must := range []string{"login.title", "login.identifier_label", "login.password_label", "login.continue", "login.submit", "logout.submit", "error.title", "footer.text"} {
		if !seen[must] {
			t.Errorf("no template uses %q; is the scanner broken?", must)
		}
	}
}

// TestRequiredKeys lists the keys other packages pass as Data values
// (errors, titles, messages): they are not visible to the template scan.
func TestRequiredKeys(t *testing.T) {
	en := embeddedCatalog(t, "en")
	required := []string{
		"login.invalid_credentials", "login.account_disabled", "login.identifier_required",
		"login.password_required", "login.too_many_attempts", "error.generic",
		"error.interaction_expired", "error.bad_request", "error.invalid_redirect_uri",
		"error.not_found", "logout.done", "common.back", "error.temporarily_unavailable",
	}
	sort.Strings(required)
	for _, k := range required {
		if en[k] == "" {
			t.Errorf("en.json lacks %q", k)
		}
	}
	if en["login.invalid_credentials"] != "Incorrect email, username or password." {
		t.Errorf("login.invalid_credentials = %q", en["login.invalid_credentials"])
	}
}
