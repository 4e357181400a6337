package manage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/gif"  // logos may be GIF
	_ "image/jpeg" // or JPEG
	_ "image/png"  // or PNG
	"strings"

	"foyer/storage"
)

// BrandImage is an uploaded brand picture.
type BrandImage string

const (
	// Logo is shown above every page's card and in e-mails.
	Logo BrandImage = "logo"
	// Favicon is the browser tab's icon.
	Favicon BrandImage = "favicon"
)

const (
	// MaxLogoBytes and MaxFaviconBytes cap uploads: pages and e-mails load
	// them on every view.
	MaxLogoBytes    = 256 << 10
	MaxFaviconBytes = 64 << 10
	// MaxImageSide caps either dimension, in pixels.
	MaxImageSide = 2048
)

// Valid reports whether k names a brand image.
func (k BrandImage) Valid() bool { return k == Logo || k == Favicon }

// MaxBytes is the upload limit of the kind.
func (k BrandImage) MaxBytes() int {
	if k == Favicon {
		return MaxFaviconBytes
	}
	return MaxLogoBytes
}

// CheckImage tells whether data would be accepted as the kind's image
// (nil, or a *ValidationError), so that a form can refuse it before it
// saves anything else.
func CheckImage(kind BrandImage, data []byte) error {
	_, err := checkImage(kind, data)
	return err
}

// checkImage returns the content type of an upload judged by its bytes
// (never by what the uploader claims), or why it is refused. SVG is
// refused: it can carry scripts and external references, and the
// browser runs them when the file is opened on its own.
func checkImage(kind BrandImage, data []byte) (string, error) {
	field := string(kind)
	if len(data) == 0 {
		return "", Problems{field: "choose a file"}.Err()
	}
	if len(data) > kind.MaxBytes() {
		return "", Problems{field: fmt.Sprintf("at most %d KB", kind.MaxBytes()>>10)}.Err()
	}
	ct, w, h, msg := sniffImage(kind, data)
	if msg == "" && (w < 1 || h < 1 || w > MaxImageSide || h > MaxImageSide) {
		msg = fmt.Sprintf("at most %d×%d pixels", MaxImageSide, MaxImageSide)
	}
	if msg != "" {
		return "", Problems{field: msg}.Err()
	}
	return ct, nil
}

// sniffImage finds the type and size of an image; msg says why it is not
// one Foyer takes.
func sniffImage(kind BrandImage, data []byte) (ct string, w, h int, msg string) {
	const types = "a PNG, JPEG, GIF or WebP image"
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		ct = "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		ct = "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		ct = "image/gif"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		w, h, ok := webpSize(data)
		if !ok {
			return "", 0, 0, "not a readable WebP image"
		}
		return "image/webp", w, h, ""
	case kind == Favicon && bytes.HasPrefix(data, []byte{0, 0, 1, 0}):
		w, h, ok := icoSize(data)
		if !ok {
			return "", 0, 0, "not a readable ICO file"
		}
		return "image/x-icon", w, h, ""
	case looksLikeSVG(data):
		return "", 0, 0, "SVG is not accepted (it can carry scripts); upload " + types
	default:
		if kind == Favicon {
			return "", 0, 0, "not " + types + " or an ICO file"
		}
		return "", 0, 0, "not " + types
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", 0, 0, "the image cannot be read"
	}
	return ct, cfg.Width, cfg.Height, ""
}

func looksLikeSVG(data []byte) bool {
	head := strings.ToLower(string(data[:min(len(data), 1024)]))
	return strings.Contains(head, "<svg") || strings.Contains(head, "<?xml")
}

// webpSize reads the canvas size from a WebP's first chunk (lossy VP8,
// lossless VP8L or extended VP8X): golang.org/x/image is no dependency.
func webpSize(d []byte) (int, int, bool) {
	if len(d) < 30 {
		return 0, 0, false
	}
	switch string(d[12:16]) {
	case "VP8 ":
		if d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a {
			return 0, 0, false
		}
		return int(binary.LittleEndian.Uint16(d[26:]) & 0x3fff), int(binary.LittleEndian.Uint16(d[28:]) & 0x3fff), true
	case "VP8L":
		if d[20] != 0x2f {
			return 0, 0, false
		}
		bits := binary.LittleEndian.Uint32(d[21:])
		return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, true
	case "VP8X":
		w := int(d[24]) | int(d[25])<<8 | int(d[26])<<16
		h := int(d[27]) | int(d[28])<<8 | int(d[29])<<16
		return w + 1, h + 1, true
	}
	return 0, 0, false
}

// icoSize is the largest image an ICO directory lists (0 stands for 256).
func icoSize(d []byte) (int, int, bool) {
	if len(d) < 6 {
		return 0, 0, false
	}
	n := int(binary.LittleEndian.Uint16(d[4:]))
	if n == 0 || len(d) < 6+16*n {
		return 0, 0, false
	}
	w, h := 0, 0
	for i := range n {
		e := d[6+16*i:]
		ew, eh := int(e[0]), int(e[1])
		if ew == 0 {
			ew = 256
		}
		if eh == 0 {
			eh = 256
		}
		w, h = max(w, ew), max(h, eh)
	}
	return w, h, true
}

// SetImage uploads the owner's logo or favicon (action
// APPLICATION|organization.branding_image_set) if the owner is still at
// version (0: whatever it is now).
func (s *Brandings) SetImage(ctx context.Context, a Actor, o BrandOwner, version int64, kind BrandImage, data []byte) (BrandingView, error) {
	if !kind.Valid() {
		return BrandingView{}, ErrNotFound
	}
	if _, err := s.load(ctx, a, WriteConfig, o); err != nil {
		return BrandingView{}, err
	}
	ct, err := checkImage(kind, data)
	if err != nil {
		return BrandingView{}, err
	}
	return s.change(ctx, a, o, version, "branding_"+string(kind)+"_set", func(ctx context.Context, b *storage.Branding) error {
		hash, err := s.putAsset(ctx, ct, data)
		*imageField(b, kind) = hash
		return err
	})
}

// RemoveImage drops the owner's logo or favicon (the asset stays: pages
// cached elsewhere may still link it).
func (s *Brandings) RemoveImage(ctx context.Context, a Actor, o BrandOwner, version int64, kind BrandImage) (BrandingView, error) {
	if !kind.Valid() {
		return BrandingView{}, ErrNotFound
	}
	return s.change(ctx, a, o, version, "branding_"+string(kind)+"_removed", func(_ context.Context, b *storage.Branding) error {
		*imageField(b, kind) = ""
		return nil
	})
}

// DraftImage stores an image for a preview and returns its URL; nothing
// links it until it is uploaded with SetImage.
func (s *Brandings) DraftImage(ctx context.Context, a Actor, o BrandOwner, kind BrandImage, data []byte) (string, error) {
	if _, err := s.load(ctx, a, WriteConfig, o); err != nil {
		return "", err
	}
	ct, err := checkImage(kind, data)
	if err != nil {
		return "", err
	}
	hash, err := s.putAsset(ctx, ct, data)
	return storage.BrandAssetURL(hash), err
}

func imageField(b *storage.Branding, kind BrandImage) *string {
	if kind == Favicon {
		return &b.FaviconAsset
	}
	return &b.LogoAsset
}
