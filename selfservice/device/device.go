// Package device describes where an SSO session was started from: the
// browser and operating system its user agent names, and the approximate
// location of its IP address from a MaxMind City (or Country) database.
// The account portal's security page and the admin console's Sessions tab
// of an account show the same words for the same session through it.
package device

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/medama-io/go-useragent"
	"github.com/oschwald/geoip2-golang"
)

// Describer names browsers, operating systems and locations. Its zero
// value is not usable; build one with Open. It is safe for concurrent use.
type Describer struct {
	// agents parses user agents; built on first use (a 5 MiB table that
	// takes 20 ms), so a server starts without it.
	agents func() *useragent.Parser
	geo    *geoip2.Reader // nil: no locations
}

// Open returns a describer reading locations from the GeoIP database at
// geoIPPath; an empty path gives one that knows no locations. A file that
// is not a database is an error, so a misconfiguration fails start-up.
func Open(geoIPPath string) (*Describer, error) {
	d := &Describer{agents: sync.OnceValue(useragent.NewParser)}
	if geoIPPath == "" {
		return d, nil
	}
	db, err := geoip2.Open(geoIPPath)
	if err != nil {
		return nil, fmt.Errorf("GeoIP database %s: %w", geoIPPath, err)
	}
	d.geo = db
	return d, nil
}

// Close releases the GeoIP database; a nil describer has nothing to close.
func (d *Describer) Close() error {
	if d == nil || d.geo == nil {
		return nil
	}
	return d.geo.Close()
}

// Device names the browser (with its major version) and the operating
// system of a user agent, or "" for what the parser does not know.
func (d *Describer) Device(ua string) (browser, os string) {
	if ua == "" {
		return "", ""
	}
	a := d.agents().Parse(ua)
	browser = string(a.Browser())
	if major := a.BrowserVersionMajor(); browser != "" && major != "" {
		browser += " " + major
	}
	return browser, string(a.OS())
}

// Locate returns "City, Country" (or what of it is known) for an IP, ""
// without a database or for an address it does not know.
func (d *Describer) Locate(ip string) string {
	if d.geo == nil {
		return ""
	}
	addr := net.ParseIP(ip)
	if addr == nil {
		return ""
	}
	rec, err := d.geo.City(addr)
	if err != nil {
		// A Country database answers no City lookups.
		var invalid geoip2.InvalidMethodError
		if errors.As(err, &invalid) {
			return d.country(addr)
		}
		return ""
	}
	parts := []string{}
	for _, s := range []string{rec.City.Names["en"], rec.Country.Names["en"]} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func (d *Describer) country(addr net.IP) string {
	rec, err := d.geo.Country(addr)
	if err != nil {
		return ""
	}
	return rec.Country.Names["en"]
}
