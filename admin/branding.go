package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoBrandings: the handler was built without the branding service.
var errNoBrandings = errors.New("admin: the branding service is not configured")

// brandOwnerOf names whose branding a request is about; application routes
// have the id variable, organization routes store and org.
type brandOwnerOf func(r *http.Request) manage.BrandOwner

func applicationBrandOwner(r *http.Request) manage.BrandOwner {
	return manage.ApplicationOwner(mux.Vars(r)["id"])
}

func organizationBrandOwner(r *http.Request) manage.BrandOwner {
	v := mux.Vars(r)
	return manage.OrganizationOwner(v["store"], v["org"])
}

// mountBranding registers the branding of applications and of
// organizations: GET/PUT .../branding, PUT/DELETE .../branding/logo and
// .../branding/favicon. Uploads are the raw image as the body.
func (h *Handler) mountBranding(api *mux.Router) {
	for _, owner := range []struct {
		name, path string
		of         brandOwnerOf
	}{
		{"admin.application_branding", "/applications/{id}/branding", applicationBrandOwner},
		{"admin.organization_branding", "/stores/{store}/organizations/{org}/branding", organizationBrandOwner},
	} {
		route.Handle(api, owner.name, owner.path, route.Methods{
			http.MethodGet: h.branded(h.getBranding(owner.of)), http.MethodPut: h.branded(h.updateBranding(owner.of))})
		for _, kind := range []manage.BrandImage{manage.Logo, manage.Favicon} {
			route.Handle(api, owner.name+"_"+string(kind), owner.path+"/"+string(kind), route.Methods{
				http.MethodPut:    h.branded(h.uploadBrandImage(owner.of, kind)),
				http.MethodDelete: h.branded(h.removeBrandImage(owner.of, kind))})
		}
	}
}

// branded runs next when the branding service is there.
func (h *Handler) branded(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.brandings == nil {
			return errNoBrandings
		}
		return next(w, r, a)
	})
}

func (h *Handler) getBranding(of brandOwnerOf) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		v, err := h.brandings.Get(r.Context(), a, of(r))
		if err != nil {
			return writeServiceError(w, r, err)
		}
		writeVersioned(w, http.StatusOK, v.Version, v)
		return nil
	}
}

// brandingReplacement is the body of a PUT: the input, or the branding as
// a GET returned it (its asset URLs and version are ignored; the logo and
// favicon change through their own endpoints).
type brandingReplacement struct {
	manage.BrandingInput
	LogoURL    string `json:"logo_url"`
	FaviconURL string `json:"favicon_url"`
	StyleURL   string `json:"style_url"`
	Version    int64  `json:"version"`
}

func (h *Handler) updateBranding(of brandOwnerOf) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		version, err := ifMatch(r)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		var in brandingReplacement
		if err := decodeJSON(w, r, &in); err != nil {
			return writeServiceError(w, r, err)
		}
		v, err := h.brandings.Update(r.Context(), a, of(r), version, in.BrandingInput)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		writeVersioned(w, http.StatusOK, v.Version, v)
		return nil
	}
}

// uploadBrandImage takes the image as the raw body. Its Content-Type is
// not trusted: the service judges the bytes. A body over the kind's limit
// is 413.
func (h *Handler) uploadBrandImage(of brandOwnerOf, kind manage.BrandImage) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		version, err := ifMatch(r)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(kind.MaxBytes())))
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeProblem(w, r, http.StatusRequestEntityTooLarge, "Image too large",
				fmt.Sprintf("A %s may be at most %d KB.", kind, kind.MaxBytes()>>10))
			return nil
		}
		if err != nil {
			return writeServiceError(w, r, fmt.Errorf("%w: the body cannot be read", errBadRequest))
		}
		v, err := h.brandings.SetImage(r.Context(), a, of(r), version, kind, data)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		writeVersioned(w, http.StatusOK, v.Version, v)
		return nil
	}
}

func (h *Handler) removeBrandImage(of brandOwnerOf, kind manage.BrandImage) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		version, err := ifMatch(r)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		v, err := h.brandings.RemoveImage(r.Context(), a, of(r), version, kind)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		writeVersioned(w, http.StatusOK, v.Version, v)
		return nil
	}
}
