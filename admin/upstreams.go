package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoUpstreams: the handler was built without the Upstreams service.
var errNoUpstreams = errors.New("admin: the identity provider service is not configured")

// upstreamReplacement is the body of a PUT on an identity provider: the
// input, and the read-only fields a GET returned (accepted and ignored).
type upstreamReplacement struct {
	manage.UpstreamInput
	readOnly
	ClientSecretSet *bool   `json:"client_secret_set"`
	PrivateKeySet   *bool   `json:"private_key_set"`
	Identities      *int64  `json:"identities"`
	RedirectURI     *string `json:"redirect_uri"`
}

// mountUpstreams registers /stores/{store}/identity-providers[/{idp}]:
// the store's upstream identity providers, their secrets write-only.
func (h *Handler) mountUpstreams(api *mux.Router) {
	p := storePart[manage.Upstream, manage.UpstreamInput]{
		plural: "identity-providers", idVar: "idp",
		list: func(ctx context.Context, a manage.Actor, storeID string, o manage.ListOptions) (manage.Page[manage.Upstream], error) {
			return h.upstreams.ListBy(ctx, a, storeID, o)
		},
		get: func(ctx context.Context, a manage.Actor, storeID, id string) (*manage.Upstream, error) {
			return h.upstreams.Get(ctx, a, storeID, id)
		},
		create: func(ctx context.Context, a manage.Actor, storeID string, in manage.UpstreamInput) (*manage.Upstream, error) {
			return h.upstreams.Create(ctx, a, storeID, in)
		},
		update: func(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.UpstreamInput) (*manage.Upstream, error) {
			return h.upstreams.Update(ctx, a, storeID, id, version, in)
		},
		remove: func(ctx context.Context, a manage.Actor, storeID, id string, version int64) error {
			return h.upstreams.Delete(ctx, a, storeID, id, version)
		},
		decodeUpdate: func(w http.ResponseWriter, r *http.Request) (manage.UpstreamInput, readOnly, error) {
			var in upstreamReplacement
			err := decodeJSON(w, r, &in)
			return in.UpstreamInput, in.readOnly, err
		},
		id:      func(v manage.Upstream) string { return v.ID },
		version: func(v manage.Upstream) int64 { return v.Version },
	}
	one := "admin.store_identity_provider"
	route.Handle(api, "admin.store_identity_providers", "/stores/{store}/identity-providers", route.Methods{
		http.MethodGet: h.withUpstreams(p.listHandler), http.MethodPost: h.withUpstreams(p.createHandler(h, one))})
	route.Handle(api, one, "/stores/{store}/identity-providers/{idp}", route.Methods{
		http.MethodGet: h.withUpstreams(p.getHandler), http.MethodPut: h.withUpstreams(p.updateHandler),
		http.MethodDelete: h.withUpstreams(p.deleteHandler)})
}

// withUpstreams runs next only when the service is there.
func (h *Handler) withUpstreams(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.upstreams == nil {
			return errNoUpstreams
		}
		return next(w, r, a)
	})
}
