package device

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

func TestDevice(t *testing.T) {
	d, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	for ua, want := range map[string][2]string{
		"": {"", ""},
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": {"Safari 17", "iOS"},
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36":                   {"Chrome 126", "MacOS"},
	} {
		b, os := d.Device(ua)
		if b != want[0] || os != want[1] {
			t.Errorf("Device(%q) = %q, %q; want %q, %q", ua, b, os, want[0], want[1])
		}
	}
	if got := d.Locate("127.0.0.1"); got != "" {
		t.Errorf("Locate without a database = %q, want empty", got)
	}
}

// WriteTestDB builds a tiny MaxMind City database placing loopback in
// Testville, Testland.
func writeTestDB(t *testing.T) string {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", IncludeReservedNetworks: true, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	rec := mmdbtype.Map{
		"city":    mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Testville")}},
		"country": mmdbtype.Map{"iso_code": mmdbtype.String("TL"), "names": mmdbtype.Map{"en": mmdbtype.String("Testland")}},
	}
	if err := w.Insert(loopback, rec); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "city.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLocate(t *testing.T) {
	d, err := Open(writeTestDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	for ip, want := range map[string]string{"127.0.0.1": "Testville, Testland", "192.0.2.1": "", "not an ip": ""} {
		if got := d.Locate(ip); got != want {
			t.Errorf("Locate(%q) = %q, want %q", ip, got, want)
		}
	}
}

func TestOpenRefusesABrokenDatabase(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "broken.mmdb")
	if err := os.WriteFile(bad, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad); err == nil || !strings.Contains(err.Error(), "GeoIP") {
		t.Fatalf("Open(broken) = %v, want a GeoIP error", err)
	}
	var nilD *Describer
	if err := nilD.Close(); err != nil {
		t.Errorf("Close of nil = %v", err)
	}
}
