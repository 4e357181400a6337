package devseed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"foyer/storage"
)

// attributes fills the store's schema: required attributes always, the
// others for most accounts. A value the definition refuses (a pattern the
// generator cannot know) is left out rather than stored invalid.
func (g *Generator) attributes(r *rand.Rand, p person) map[string]string {
	if len(g.schema) == 0 {
		return nil
	}
	place := pick(r, cities)
	out := make(map[string]string, len(g.schema))
	for _, d := range g.schema {
		if !d.Required && r.Float64() < 0.15 {
			continue
		}
		v := attributeValue(r, d, p, place.city, place.country, place.code)
		if v == "" || d.Check(v) != nil {
			continue
		}
		out[d.Name] = v
	}
	return out
}

// attributeValue is a plausible value for d, guessed from its type and
// name (the OpenID Connect claim names and their usual variants).
func attributeValue(r *rand.Rand, d storage.AttributeDef, p person, city, country, code string) string {
	switch d.TypeOrDefault() {
	case storage.AttrNumber:
		return numberValue(r, d.Name)
	case storage.AttrBoolean:
		return fmt.Sprintf("%t", r.Float64() < 0.3)
	case storage.AttrDate:
		return dateValue(r, d.Name)
	case storage.AttrEmail:
		return fmt.Sprintf("%s.%s.%d@%s", asciiFold(p.given), asciiFold(p.family), p.n, pick(r, workDomains))
	case storage.AttrURL:
		return fmt.Sprintf("https://www.%s/~%s%d", pick(r, mailDomains), asciiFold(p.given), p.n)
	case storage.AttrPhone:
		return fmt.Sprintf("+4930%08d", p.n)
	case storage.AttrEnum:
		// The first options are the common ones.
		return d.Options[int(float64(len(d.Options))*math.Pow(r.Float64(), 1.5))]
	}
	return stringValue(r, d, p, city, country, code)
}

func stringValue(r *rand.Rand, d storage.AttributeDef, p person, city, country, code string) string {
	name := strings.ReplaceAll(d.Name, "_", "")
	switch {
	case has(name, "givenname", "firstname", "forename"):
		return p.given
	case has(name, "familyname", "lastname", "surname"):
		return p.family
	case has(name, "middlename"):
		return pick(r, givenNames)
	case has(name, "fullname", "displayname") || name == "name":
		return p.given + " " + p.family
	case has(name, "nickname", "preferredusername"):
		return asciiFold(p.given)
	case has(name, "birth"):
		return dateValue(r, d.Name)
	case has(name, "city", "locality", "town"):
		return city
	case has(name, "countrycode"):
		return code
	case has(name, "country"):
		if d.MaxLength == 2 {
			return code
		}
		return country
	case has(name, "postal", "zip"):
		return fmt.Sprintf("%05d", 1000+r.IntN(98000))
	case has(name, "street", "address"):
		return fmt.Sprintf("%s %d", pick(r, streets), 1+r.IntN(180))
	case has(name, "company", "organization", "organisation", "employer"):
		return pick(r, companies)
	case has(name, "jobtitle", "title", "position"):
		return pick(r, jobTitles)
	case has(name, "department"):
		return pick(r, departments)
	case has(name, "gender"):
		return pick(r, []string{"female", "male", "female", "male", "diverse"})
	case has(name, "locale", "language"):
		return pick(r, []string{"de-DE", "en-GB", "en-US", "fr-FR", "es-ES", "it-IT", "nl-NL"})
	case has(name, "zoneinfo", "timezone"):
		return pick(r, []string{"Europe/Berlin", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo"})
	case has(name, "customer", "member", "number", "id"):
		return fmt.Sprintf("C%08d", p.n)
	}
	return pick(r, words)
}

func numberValue(r *rand.Rand, name string) string {
	switch {
	case has(name, "age"):
		return fmt.Sprintf("%d", 18+r.IntN(70))
	case has(name, "point", "credit", "balance"):
		return fmt.Sprintf("%d", r.IntN(50_000))
	}
	return fmt.Sprintf("%d", r.IntN(1000))
}

// dateValue is a birth date for a birth-like name (ages 16 to 85), else a
// date in the last years.
func dateValue(r *rand.Rand, name string) string {
	if has(name, "birth") {
		y := 1940 + r.IntN(70)
		return time.Date(y, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	return time.Date(2020+r.IntN(6), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func has(name string, parts ...string) bool {
	for _, p := range parts {
		if strings.Contains(name, p) {
			return true
		}
	}
	return false
}
