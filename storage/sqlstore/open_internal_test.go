package sqlstore

import (
	"path/filepath"
	"testing"
)

// The pragmas are what keep SQLite correct under concurrency: check each
// pooled connection really has them, whichever URL form opened it.
func TestSQLitePragmas(t *testing.T) {
	dir := t.TempDir()
	for _, url := range []string{
		"sqlite:" + filepath.Join(dir, "a.db"),
		"sqlite://" + filepath.Join(dir, "b.db"),
		"sqlite:" + filepath.Join(dir, "c.db") + "?_pragma=cache_size(-4000)",
	} {
		t.Run(url, func(t *testing.T) {
			s, err := Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, c := range []struct {
				pragma string
				want   string
			}{
				{"journal_mode", "wal"},
				{"foreign_keys", "1"},
				{"busy_timeout", "10000"},
			} {
				var got string
				if err := s.gdb.Raw("PRAGMA " + c.pragma).Scan(&got).Error; err != nil {
					t.Fatalf("PRAGMA %s: %v", c.pragma, err)
				}
				if got != c.want {
					t.Errorf("PRAGMA %s = %q, want %q", c.pragma, got, c.want)
				}
			}
		})
	}
}

func TestSQLiteDSN(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"foyer.db", "foyer.db?" + sqlitePragmas},
		{"///var/lib/foyer.db", "/var/lib/foyer.db?" + sqlitePragmas},
		{"x.db?_pragma=cache_size(-4000)", "x.db?" + sqlitePragmas + "&_pragma=cache_size(-4000)"},
	} {
		got, err := sqliteDSN(c.path)
		if err != nil || got != c.want {
			t.Errorf("sqliteDSN(%q) = %q, %v; want %q", c.path, got, err, c.want)
		}
	}
}
