package selfservice

import (
	"bytes"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/gorilla/mux"

	"foyer/storage"
)

// brandAssetRoute serves uploaded logos and favicons and the generated
// brand stylesheets (storage.BrandAsset) by the SHA-256 of their bytes.
const (
	brandAssetRoute = "selfservice.brand_asset"
	BrandAssetPath  = storage.BrandAssetPath + "{hash}"
)

// assetHash is what a hash looks like; anything else is not looked up.
var assetHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// brandAssetCSP keeps an asset opened on its own (an SVG logo, say) from
// running anything: it is an image or a stylesheet, never a document.
const brandAssetCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// serveBrandAsset answers an asset with caching for good: its URL changes
// with its content, so a cached copy can never be stale.
func (h *Handler) serveBrandAsset(w http.ResponseWriter, r *http.Request) error {
	hash := mux.Vars(r)["hash"]
	var a *storage.BrandAsset
	err := storage.ErrNotFound
	if assetHash.MatchString(hash) {
		a, err = h.store.GetBrandAsset(r.Context(), hash)
	}
	if errors.Is(err, storage.ErrNotFound) {
		http.Error(w, "not found", http.StatusNotFound)
		return nil
	}
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", a.ContentType)
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", `"`+a.Hash+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", brandAssetCSP)
	// Mail clients load logos from other origins.
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.Data))
	return nil
}
