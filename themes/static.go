package themes

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// brandCSSPath is generated, not a file; a static file of that name is
// ignored so an override cannot shadow the validated stylesheet.
const brandCSSPath = "brand.css"

// StaticPrefix is where StaticHandler is mounted and asset URLs point.
const StaticPrefix = "/static/"

// longCache is safe because every URL the templates emit is versioned
// (?v=content hash, or ?c=color for brand.css).
const longCache = "public, max-age=31536000, immutable"

var hexColor = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

// extraTypes covers extensions missing from mime's built-in table on hosts
// without /etc/mime.types, so fonts and icons never fall back to sniffing.
var extraTypes = map[string]string{
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ico":   "image/x-icon",
	".map":   "application/json",
	".txt":   "text/plain; charset=utf-8",
}

type staticFile struct {
	body        []byte
	contentType string
	etag        string
	version     string // first hex digits of the content hash, for ?v=
}

func (r *Renderer) loadStatic(layers []fs.FS) error {
	files, err := collect(layers, "static", "", true)
	if err != nil {
		return err
	}
	r.static = make(map[string]*staticFile, len(files))
	for name, body := range files {
		if name == brandCSSPath {
			continue
		}
		ext := strings.ToLower(path.Ext(name))
		ct := extraTypes[ext]
		if ct == "" {
			ct = mime.TypeByExtension(ext)
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(body)
		v := hex.EncodeToString(sum[:])[:12]
		r.static[name] = &staticFile{body: body, contentType: ct, etag: `"` + v + `"`, version: v}
	}
	return nil
}

// assetURL is the cache-busting URL of a static file, used by the templates'
// asset function. Unknown names still get a URL so a typo shows up as a 404
// in the browser rather than a template error.
func (r *Renderer) assetURL(name string) string {
	if f, ok := r.static[name]; ok {
		return StaticPrefix + name + "?v=" + f.version
	}
	return StaticPrefix + name
}

// StaticHandler serves the theme's static files at /static/NAME (mount it on
// StaticPrefix without stripping), plus the generated
// /static/brand.css?c=RRGGBB.
func (r *Renderer) StaticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(req.URL.Path, StaticPrefix)
		if name == brandCSSPath {
			serveBrandCSS(w, req)
			return
		}
		f, ok := r.static[name]
		if !ok {
			http.NotFound(w, req)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Cache-Control", longCache)
		h.Set("ETag", f.etag)
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, req, name, time.Time{}, bytes.NewReader(f.body))
	})
}

func serveBrandCSS(w http.ResponseWriter, req *http.Request) {
	c := req.URL.Query().Get("c")
	if !hexColor.MatchString(c) {
		http.Error(w, "c must be six hexadecimal digits", http.StatusBadRequest)
		return
	}
	c = strings.ToLower(c)
	body := fmt.Sprintf(":root{--primary:#%s;--primary-contrast:%s}\n", c, contrastColor(c))
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", longCache)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, req, brandCSSPath, time.Time{}, strings.NewReader(body))
}

// contrastColor returns black or white, whichever has the higher WCAG 2
// contrast ratio against the color rrggbb (which must be valid hex).
func contrastColor(rrggbb string) string {
	l := relativeLuminance(rrggbb)
	// Contrast with white is 1.05/(l+0.05), with black (l+0.05)/0.05.
	if 1.05/(l+0.05) >= (l+0.05)/0.05 {
		return "#ffffff"
	}
	return "#000000"
}

func relativeLuminance(rrggbb string) float64 {
	channel := func(i int) float64 {
		v, _ := strconv.ParseUint(rrggbb[i:i+2], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(0) + 0.7152*channel(2) + 0.0722*channel(4)
}
