package themes

import (
	"strings"
	"time"
)

// Moment is a point in time as a page shows it: Text in the reader's time
// zone and the page's language, ISO (RFC 3339, with the zone's offset) for
// a <time datetime> element.
type Moment struct {
	ISO  string
	Text string
}

// momentLayouts are the date and time layouts per base language (numeric
// where Go's layouts know only English month names); others get the
// unambiguous ISO-like default. Each ends in the zone's abbreviation (or
// its offset), so "UTC" says when no zone is known.
var momentLayouts = map[string]string{
	"en": "Jan 2, 2006, 3:04 PM MST",
	"de": "02.01.2006, 15:04 MST",
	"fr": "02/01/2006 15:04 MST",
	"es": "02/01/2006, 15:04 MST",
	"it": "02/01/2006, 15:04 MST",
	"pt": "02/01/2006, 15:04 MST",
	"nl": "02-01-2006 15:04 MST",
	"pl": "02.01.2006, 15:04 MST",
	"ja": "2006/01/02 15:04 MST",
	"ar": "02/01/2006 15:04 MST",
}

const defaultMomentLayout = "2006-01-02 15:04 MST"

// NewMoment is t in loc (UTC when nil) formatted for lang.
func NewMoment(lang string, t time.Time, loc *time.Location) Moment {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	layout, ok := momentLayouts[base]
	if !ok {
		layout = defaultMomentLayout
	}
	return Moment{ISO: t.Format(time.RFC3339), Text: t.Format(layout)}
}

// Zone is the time zone a customer's times are shown in: the first name
// that time.LoadLocation knows (the account's zoneinfo, then the browser's
// as a script remembered it), else UTC.
func Zone(names ...string) *time.Location {
	for _, name := range names {
		if name == "" || len(name) > 64 || strings.Contains(name, "..") {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}
