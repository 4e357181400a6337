package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// setETag sends the resource's version as a strong entity tag, "<version>".
func setETag(w http.ResponseWriter, version int64) {
	w.Header().Set("ETag", etag(version))
}

// writeVersioned answers a resource with its ETag.
func writeVersioned(w http.ResponseWriter, status int, version int64, v any) {
	setETag(w, version)
	writeJSON(w, status, v)
}

// writeCreated answers 201 with the new resource, its Location and ETag.
func writeCreated(w http.ResponseWriter, location string, version int64, v any) {
	w.Header().Set("Location", location)
	writeVersioned(w, http.StatusCreated, version, v)
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch reads the version an update expects from If-Match. Missing (or
// "*", which names no version) is errIfMatchRequired (428); anything but
// one strong tag this API issued is errBadRequest (400). A version that is
// no longer current is found by the service (ErrStale → 412).
func ifMatch(r *http.Request) (int64, error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return 0, errIfMatchRequired
	}
	v := strings.TrimSpace(strings.Join(values, ","))
	switch {
	case v == "" || v == "*":
		return 0, errIfMatchRequired
	case strings.HasPrefix(v, "W/"):
		return 0, fmt.Errorf("%w: If-Match must hold the strong ETag this API sent, not a weak one", errBadRequest)
	case len(v) < 3 || v[0] != '"' || v[len(v)-1] != '"':
		return 0, fmt.Errorf("%w: If-Match must hold one ETag as this API sent it, e.g. \"3\"", errBadRequest)
	}
	n, err := strconv.ParseInt(v[1:len(v)-1], 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: If-Match must hold one ETag as this API sent it, e.g. \"3\"", errBadRequest)
	}
	return n, nil
}
