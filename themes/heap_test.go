package themes

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// liveHeap is the heap still in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // the second cycle frees what finalizers of the first released
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// renderEverything renders every page once in every language.
func renderEverything(t testing.TB, r *Renderer) {
	for _, page := range r.Templates() {
		for _, lang := range r.Languages() {
			w := httptest.NewRecorder()
			if err := r.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), Page{Template: page, Lang: lang}); err != nil {
				t.Fatalf("%s (%s): %v", page, lang, err)
			}
		}
	}
}

// TestTemplatesRetainedHeap guards the heap the default theme keeps alive:
// the server marks it at every GC cycle, and a password sign-in's argon2id
// allocation triggers one every few sign-ins. The bounds are generous
// (about 11 MiB for both when this was written, see the log; 54 and 282
// MiB with a copy of every partial per page, language and scope); going
// over them means templates are being copied again where they need not be.
// Not parallel, so no other test allocates while it measures.
func TestTemplatesRetainedHeap(t *testing.T) {
	const (
		loadedBound   = 24 << 20 // after New
		renderedBound = 32 << 20 // after every page in every language
	)
	before := liveHeap()
	r, err := New(Options{DefaultLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	loaded := liveHeap() - before
	renderEverything(t, r)
	rendered := liveHeap() - before
	runtime.KeepAlive(r)
	t.Logf("retained heap: %.1f MiB after New, %.1f MiB after %d pages in %d languages",
		float64(loaded)/(1<<20), float64(rendered)/(1<<20), len(r.Templates()), len(r.Languages()))
	if loaded > loadedBound {
		t.Errorf("New retains %d bytes of heap, want at most %d", loaded, loadedBound)
	}
	if rendered > renderedBound {
		t.Errorf("after rendering every page in every language %d bytes are retained, want at most %d", rendered, renderedBound)
	}
}

// BenchmarkNew is the theme's share of start-up: loading and checking the
// default theme.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{DefaultLanguage: "en"}); err != nil {
			b.Fatal(err)
		}
	}
}
