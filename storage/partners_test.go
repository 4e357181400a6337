package storage_test

import (
	"bytes"
	"regexp"
	"testing"

	"foyer/storage"
)

func TestNewPartnerCode(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$`)
	seen := map[string]bool{}
	for range 100 {
		c := storage.NewPartnerCode()
		if !shape.MatchString(c) {
			t.Fatalf("NewPartnerCode() = %q; want five groups of four Crockford base32 symbols", c)
		}
		if seen[c] {
			t.Fatalf("NewPartnerCode repeated %q", c)
		}
		seen[c] = true
	}
}

func TestPartnerCodeDigest(t *testing.T) {
	want := storage.PartnerCodeDigest("7KQ2-M9XD-4TWB-P0ZR-H3CE")
	for _, typed := range []string{"7kq2m9xd4twbp0zrh3ce", " 7KQ2 M9XD 4TWB POZR H3CE ", "7kq2-m9xd-4twb-p0zr-h3ce"} {
		if !bytes.Equal(storage.PartnerCodeDigest(typed), want) {
			t.Errorf("PartnerCodeDigest(%q) differs from the code's", typed)
		}
	}
	if bytes.Equal(storage.PartnerCodeDigest("7KQ2-M9XD-4TWB-P0ZR-H3CF"), want) {
		t.Error("two different codes share a digest")
	}
	if bytes.Equal(storage.PartnerCodeDigest("1"), storage.PartnerCodeDigest("2")) {
		t.Error("digits collapse")
	}
}
