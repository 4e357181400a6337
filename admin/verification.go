package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// VerificationServices are the services behind identity verification: a
// store's verification policies and the verifications of its accounts.
type VerificationServices struct {
	Policies *manage.VerificationPolicies
	Accounts *manage.AccountVerifications
}

// errNoVerificationServices: the handler was built without them (a test
// that only walks the routes).
var errNoVerificationServices = errors.New("admin: the verification services are not configured")

// policies is the policy service, if there is one.
func (s *VerificationServices) policies() (*manage.VerificationPolicies, error) {
	if s.Policies == nil {
		return nil, errNoVerificationServices
	}
	return s.Policies, nil
}

// withVerification runs next only when the verification services are there.
func (h *Handler) withVerification(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.verification.Policies == nil || h.verification.Accounts == nil {
			return errNoVerificationServices
		}
		return next(w, r, a)
	})
}

// verificationPolicyReplacement is the body of a PUT on a policy.
type verificationPolicyReplacement struct {
	manage.VerificationPolicyInput
	readOnly
}

// Routes of an account's verifications.
const (
	accountVerificationsRoute = "admin.account_verifications"
	accountVerificationRevoke = "admin.account_verification_revoke"
)

// mountVerification registers /stores/{store}/verification-policies[/{verification_policy}]
// and /stores/{store}/accounts/{account}/verifications[/{verification}/revoke].
func (h *Handler) mountVerification(api *mux.Router) {
	s := &h.verification
	mountStorePart(h, api, storePart[manage.VerificationPolicy, manage.VerificationPolicyInput]{
		plural: "verification-policies", idVar: "verification_policy",
		list: func(ctx context.Context, a manage.Actor, storeID string, o manage.ListOptions) (manage.Page[manage.VerificationPolicy], error) {
			p, err := s.policies()
			if err != nil {
				return manage.Page[manage.VerificationPolicy]{}, err
			}
			return p.ListBy(ctx, a, storeID, o)
		},
		get: func(ctx context.Context, a manage.Actor, storeID, id string) (*manage.VerificationPolicy, error) {
			p, err := s.policies()
			if err != nil {
				return nil, err
			}
			return p.Get(ctx, a, storeID, id)
		},
		create: func(ctx context.Context, a manage.Actor, storeID string, in manage.VerificationPolicyInput) (*manage.VerificationPolicy, error) {
			p, err := s.policies()
			if err != nil {
				return nil, err
			}
			return p.Create(ctx, a, storeID, in)
		},
		update: func(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.VerificationPolicyInput) (*manage.VerificationPolicy, error) {
			p, err := s.policies()
			if err != nil {
				return nil, err
			}
			return p.Update(ctx, a, storeID, id, version, in)
		},
		remove: func(ctx context.Context, a manage.Actor, storeID, id string, version int64) error {
			p, err := s.policies()
			if err != nil {
				return err
			}
			return p.Delete(ctx, a, storeID, id, version)
		},
		decodeUpdate: func(w http.ResponseWriter, r *http.Request) (manage.VerificationPolicyInput, readOnly, error) {
			var in verificationPolicyReplacement
			err := decodeJSON(w, r, &in)
			return in.VerificationPolicyInput, in.readOnly, err
		},
		id:      func(p manage.VerificationPolicy) string { return p.ID },
		version: func(p manage.VerificationPolicy) int64 { return p.Version },
	})
	route.Handle(api, accountVerificationsRoute, "/stores/{store}/accounts/{account}/verifications", route.Methods{
		http.MethodGet: h.withVerification(h.listVerifications), http.MethodPost: h.withVerification(h.verifyAccount)})
	route.Handle(api, accountVerificationRevoke, "/stores/{store}/accounts/{account}/verifications/{verification}/revoke",
		route.Methods{http.MethodPost: h.withVerification(h.revokeVerification)})
}

// verificationList is the answer of GET .../verifications: every record,
// newest first (an account has a handful, so there is no paging).
type verificationList struct {
	Items []manage.Verification `json:"items"`
}

func (h *Handler) listVerifications(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	items, err := h.verification.Accounts.List(r.Context(), a, v["store"], v["account"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, verificationList{Items: items})
	return nil
}

func (h *Handler) verifyAccount(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.VerifyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	v := mux.Vars(r)
	rec, err := h.verification.Accounts.Verify(r.Context(), a, v["store"], v["account"], in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	w.Header().Set("Location", h.routes.Path(accountVerificationsRoute, nil, "store", v["store"], "account", v["account"]))
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

func (h *Handler) revokeVerification(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	rec, err := h.verification.Accounts.Revoke(r.Context(), a, v["store"], v["account"], v["verification"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}
