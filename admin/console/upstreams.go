package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// UpstreamService is what the console asks of a store's upstream
// identity providers (manage.Upstreams).
type UpstreamService interface {
	List(ctx context.Context, a manage.Actor, storeID string) ([]manage.Upstream, error)
	Get(ctx context.Context, a manage.Actor, storeID, id string) (*manage.Upstream, error)
	Create(ctx context.Context, a manage.Actor, storeID string, in manage.UpstreamInput) (*manage.Upstream, error)
	Update(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.UpstreamInput) (*manage.Upstream, error)
	Delete(ctx context.Context, a manage.Actor, storeID, id string, version int64) error
}

const (
	upstreamsRoute      = "console.identity_providers"
	upstreamRoute       = "console.identity_provider"
	upstreamDeleteRoute = "console.identity_provider_delete"
)

func (h *Handler) mountUpstreams(r *mux.Router) {
	if h.upstreams == nil {
		return
	}
	route.Handle(r, upstreamsRoute, "/admin/stores/{store}/identity-providers", route.Methods{
		http.MethodGet: h.authed(h.upstreamsPage), http.MethodPost: h.authed(h.createUpstream)})
	route.Handle(r, upstreamRoute, "/admin/stores/{store}/identity-providers/{idp}", route.Methods{
		http.MethodGet: h.authed(h.upstreamPage), http.MethodPost: h.authed(h.updateUpstream)})
	route.Handle(r, upstreamDeleteRoute, "/admin/stores/{store}/identity-providers/{idp}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteUpstream), http.MethodPost: h.authed(h.deleteUpstream)})
}

// upstreamForm is the provider's form as typed: everything but the
// secrets, which are never shown again.
type upstreamForm struct {
	Name, Preset, Kind, Issuer, AuthURL, TokenURL, UserInfoURL string
	ClientID, TeamID, KeyID, Scopes, Claims                    string
	Enabled                                                    bool
}

// upstreamSecrets tell the form's write-only fields whether a secret is
// stored (an edit keeps it when they are left empty).
type upstreamSecrets struct {
	Editing, SecretSet, KeySet bool
}

// upstreamsPage is the data of admin_idps: the store's providers and the
// creation form as typed.
type upstreamsPage struct {
	frame
	upstreamSecrets
	StoreName   string
	Rows        []upstreamRow
	CanCreate   bool
	CreateURL   string
	Form        upstreamForm
	FieldErrors map[string]string
}

type upstreamRow struct {
	Name, Preset, URL string
	Enabled           bool
	Identities        int64
}

func (h *Handler) upstreamsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderUpstreams(w, r, rq, http.StatusOK, upstreamForm{Enabled: true}, nil, "")
}

func (h *Handler) renderUpstreams(w http.ResponseWriter, r *http.Request, rq *request, status int, form upstreamForm,
	errs map[string]string, pageErr string) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	list, err := h.upstreams.List(r.Context(), rq.Actor, s.ID)
	if err != nil {
		return err
	}
	p := &upstreamsPage{StoreName: s.Name, CanCreate: rq.Actor.Can(manage.WriteConfig, s.ID),
		CreateURL: h.path(upstreamsRoute, nil, "store", s.ID), Form: form, FieldErrors: errs}
	p.Error = pageErr
	for _, x := range list {
		p.Rows = append(p.Rows, upstreamRow{Name: x.Name, Preset: x.Preset, Enabled: x.Enabled, Identities: x.Identities,
			URL: h.path(upstreamRoute, nil, "store", s.ID, "idp", x.ID)})
	}
	h.page(w, r, rq, "admin_idps", status, s.ID, p)
	return nil
}

// readUpstreamForm reads the posted form: the typed fields for showing
// again, the service's input, and the problems of lines it could not
// read (the claim mapping's TARGET=CLAIM lines).
func readUpstreamForm(r *http.Request) (upstreamForm, manage.UpstreamInput, map[string]string) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := upstreamForm{Name: v("name"), Preset: v("preset"), Kind: v("kind"), Issuer: v("issuer"), AuthURL: v("auth_url"),
		TokenURL: v("token_url"), UserInfoURL: v("userinfo_url"), ClientID: v("client_id"), TeamID: v("team_id"),
		KeyID: v("key_id"), Scopes: v("scopes"), Claims: r.PostFormValue("claim_mapping"), Enabled: r.PostFormValue("enabled") == "yes"}
	enabled := f.Enabled
	in := manage.UpstreamInput{Name: f.Name, Preset: f.Preset, Kind: f.Kind, Issuer: f.Issuer, AuthURL: f.AuthURL,
		TokenURL: f.TokenURL, UserInfoURL: f.UserInfoURL, ClientID: f.ClientID, ClientSecret: r.PostFormValue("client_secret"),
		TeamID: f.TeamID, KeyID: f.KeyID, PrivateKey: r.PostFormValue("private_key"), Scopes: strings.Fields(f.Scopes),
		ClaimMapping: map[string]string{}, Enabled: &enabled}
	errs := map[string]string{}
	for line := range strings.Lines(f.Claims) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		target, claim, ok := strings.Cut(line, "=")
		if !ok {
			errs["claim_mapping"] = "write one TARGET=CLAIM per line, e.g. email=mail"
			continue
		}
		in.ClaimMapping[strings.TrimSpace(target)] = strings.TrimSpace(claim)
	}
	return f, in, errs
}

// shownUpstream is the provider's form as stored.
func shownUpstream(x *manage.Upstream) upstreamForm {
	claims := make([]string, 0, len(x.ClaimMapping))
	for k, v := range x.ClaimMapping {
		claims = append(claims, k+"="+v)
	}
	slices.Sort(claims)
	return upstreamForm{Name: x.Name, Preset: x.Preset, Kind: x.Kind, Issuer: x.Issuer, AuthURL: x.AuthURL, TokenURL: x.TokenURL,
		UserInfoURL: x.UserInfoURL, ClientID: x.ClientID, TeamID: x.TeamID, KeyID: x.KeyID, Scopes: strings.Join(x.Scopes, " "),
		Claims: strings.Join(claims, "\n"), Enabled: x.Enabled}
}

// formProblems are what a post of the form shows: the lines the form
// could not read (the service is not asked then: it would take the rest),
// else the service's refusal.
func formProblems(own map[string]string, err error) (map[string]string, string, bool) {
	if len(own) > 0 {
		return own, "admin.fix_errors", true
	}
	return formErrors(err, indexedField)
}

// statusOfForm is statusOf for formProblems.
func statusOfForm(own map[string]string, err error) int {
	if len(own) > 0 {
		return http.StatusUnprocessableEntity
	}
	return statusOf(err)
}

// createUpstream adds a provider from the list page's form and opens its
// page, where the redirect URI to register upstream is shown.
func (h *Handler) createUpstream(w http.ResponseWriter, r *http.Request, rq *request) error {
	storeID := mux.Vars(r)["store"]
	form, in, own := readUpstreamForm(r)
	var x *manage.Upstream
	var err error
	if len(own) == 0 {
		x, err = h.upstreams.Create(r.Context(), rq.Actor, storeID, in)
	}
	if errs, pageErr, ok := formProblems(own, err); ok {
		return h.renderUpstreams(w, r, rq, statusOfForm(own, err), form, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(upstreamRoute, nil, "store", storeID, "idp", x.ID), "created")
	return nil
}
