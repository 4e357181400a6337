package upstream

import (
	"context"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
)

func TestFormTargets(t *testing.T) {
	c := New(Config{})
	oauth := &storage.UpstreamProvider{Kind: storage.UpstreamOAuth2, Preset: storage.PresetGitHub}
	if got := c.FormTargets(oauth); !slices.Equal(got, []string{"https://github.com/login/oauth/authorize"}) {
		t.Errorf("GitHub: %v", got)
	}
	google := &storage.UpstreamProvider{Kind: storage.UpstreamOIDC, Preset: storage.PresetGoogle}
	if got := c.FormTargets(google); !slices.Equal(got, []string{"https://accounts.google.com"}) {
		t.Errorf("Google before discovery: %v", got)
	}
	// Once a round trip has discovered the endpoints, the one it names
	// is a target too.
	f, c := newFake(t, func(*fakeUpstream) {})
	p := oidcProvider(f.URL)
	if _, err := c.Begin(context.Background(), p, "http://127.0.0.1/cb", ""); err != nil {
		t.Fatal(err)
	}
	if got := c.FormTargets(p); len(got) != 2 || got[0] != f.URL || !strings.HasPrefix(got[1], f.URL+"/") {
		t.Errorf("after discovery: %v", got)
	}
}
