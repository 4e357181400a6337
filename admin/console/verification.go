package console

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// VerificationService is what the console asks of an account's identity
// verifications (manage.AccountVerifications).
type VerificationService interface {
	List(ctx context.Context, a manage.Actor, storeID, accountID string) ([]manage.Verification, error)
	Verify(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.VerifyInput) (*manage.Verification, error)
	Revoke(ctx context.Context, a manage.Actor, storeID, accountID, id string) (*manage.Verification, error)
}

const (
	accountVerificationRoute       = "console.account_verification"
	accountVerificationRevokeRoute = "console.account_verification_revoke"
)

// mountVerificationTab registers the account profile's Identity
// verification tab: the records, the manual verification (GET ?policy=
// picks the policy whose methods the form then offers; POST records) and
// each record's revocation behind a confirmation.
func (h *Handler) mountVerificationTab(r *mux.Router) {
	route.Handle(r, accountVerificationRoute, accountPathPrefix+"/verification", route.Methods{
		http.MethodGet: h.authed(h.verificationTab), http.MethodPost: h.authed(h.verifyAccount)})
	route.Handle(r, accountVerificationRevokeRoute, accountPathPrefix+"/verification/{verification}/revoke", route.Methods{
		http.MethodGet: h.authed(h.confirmRevokeVerification), http.MethodPost: h.authed(h.revokeVerification)})
	h.addAccountTab(accountTab{Route: accountVerificationRoute, Label: "admin.verification.tab", Order: accountTabVerification})
}

// verificationTabPage is the data of admin_account_verification.
type verificationTabPage struct {
	accountFrame
	// Verified: the account has an unrevoked verification.
	Verified bool
	Rows     []verificationRow
	// Policies are the store's, to choose from; Policy is the chosen one,
	// whose methods the form offers (the only one is chosen at once).
	Policies    []policyChoice
	Policy      *policyChoice
	TabURL      string
	Form        verifyForm
	FieldErrors map[string]string
	// OpenForm unfolds the manual verification (a policy was chosen, or
	// the form came back with errors).
	OpenForm bool
}

type verificationRow struct {
	Policy, Method, Admin, Note string
	At                          time.Time
	Active                      bool
	RevokedAt                   *time.Time
	RevokedBy                   string
	RevokeURL                   string
}

type policyChoice struct {
	ID, Name string
	Methods  []string
	Selected bool
}

// verifyForm is the manual verification as typed.
type verifyForm struct{ PolicyID, Method, Note string }

func (h *Handler) verificationTab(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderVerificationTab(w, r, rq, http.StatusOK, verifyForm{PolicyID: r.URL.Query().Get("policy")}, nil)
}

func (h *Handler) renderVerificationTab(w http.ResponseWriter, r *http.Request, rq *request, status int, in verifyForm, err error) error {
	f, ferr := h.accountFrameFor(r, rq, accountVerificationRoute)
	if ferr != nil {
		return ferr
	}
	vars := []string{"store", f.StoreID, "account", f.Account.ID}
	records, lerr := h.verifs.List(r.Context(), rq.Actor, f.StoreID, f.Account.ID)
	if lerr != nil {
		return lerr
	}
	errs, pageErr, _ := formErrors(err, func(s string) string { return s })
	p := &verificationTabPage{accountFrame: *f, TabURL: h.path(accountVerificationRoute, nil, vars...), Form: in, FieldErrors: errs,
		OpenForm: in.PolicyID != "" || len(errs) > 0}
	p.Error = pageErr
	for _, v := range records {
		row := verificationRow{Policy: v.PolicyName, Method: v.Method, Admin: v.AdminName, Note: v.Note, At: v.CreatedAt,
			Active: v.Active, RevokedAt: v.RevokedAt, RevokedBy: v.RevokedBy}
		if v.Active {
			p.Verified = true
			row.RevokeURL = h.path(accountVerificationRevokeRoute, nil, append(vars, "verification", v.ID)...)
		}
		p.Rows = append(p.Rows, row)
	}
	if f.CanWrite {
		if err := h.verificationChoices(r.Context(), rq, p); err != nil {
			return err
		}
	}
	h.page(w, r, rq, "admin_account_verification", status, f.StoreID, p)
	return nil
}

// verificationChoices lists the store's policies and marks the chosen one.
func (h *Handler) verificationChoices(ctx context.Context, rq *request, p *verificationTabPage) error {
	page, err := h.vpolicies.ListBy(ctx, rq.Actor, p.StoreID, manage.ListOptions{})
	if err != nil {
		return err
	}
	for _, x := range page.Items {
		p.Policies = append(p.Policies, policyChoice{ID: x.ID, Name: x.Name, Methods: x.Methods, Selected: x.ID == p.Form.PolicyID})
	}
	if len(p.Policies) == 1 {
		p.Policies[0].Selected = true
	}
	for i := range p.Policies {
		if p.Policies[i].Selected {
			p.Policy = &p.Policies[i]
		}
	}
	return nil
}

// verifyAccount records a manual verification from the tab's form.
func (h *Handler) verifyAccount(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	in := verifyForm{PolicyID: r.PostFormValue("policy_id"), Method: r.PostFormValue("method"), Note: r.PostFormValue("note")}
	_, err := h.verifs.Verify(r.Context(), rq.Actor, v["store"], v["account"],
		manage.VerifyInput{PolicyID: in.PolicyID, Method: in.Method, Note: in.Note})
	if _, _, ok := formErrors(err, func(s string) string { return s }); ok {
		return h.renderVerificationTab(w, r, rq, statusOf(err), in, err)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(accountVerificationRoute, nil, "store", v["store"], "account", v["account"]), "created")
	return nil
}

// confirmRevokeVerification asks before revoking: revoking is a risk
// decision, and the account stops counting as verified by the entry.
func (h *Handler) confirmRevokeVerification(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	records, err := h.verifs.List(r.Context(), rq.Actor, v["store"], v["account"])
	if err != nil {
		return err
	}
	for _, x := range records {
		if x.ID != v["verification"] {
			continue
		}
		vars := []string{"store", v["store"], "account", v["account"]}
		return h.confirm(w, r, rq, manage.WriteAccounts, v["store"], confirmPage{Title: "admin.verification.revoke_title",
			Question:  "admin.verification.revoke_question",
			Subject:   x.PolicyName + " · " + x.Method + " · " + x.CreatedAt.Format("2006-01-02 15:04 MST"),
			ActionURL: h.path(accountVerificationRevokeRoute, nil, append(vars, "verification", x.ID)...),
			Button:    "admin.verification.revoke", CancelURL: h.path(accountVerificationRoute, nil, vars...)})
	}
	return manage.ErrNotFound
}

// revokeVerification revokes, only with the confirmation's confirm=yes; a
// refusal (revoked already) shows on the tab.
func (h *Handler) revokeVerification(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	vars := []string{"store", v["store"], "account", v["account"]}
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r, h.path(accountVerificationRevokeRoute, nil, append(vars, "verification", v["verification"])...), //nolint:gosec // G710: the console's own route
			http.StatusSeeOther)
		return nil
	}
	_, err := h.verifs.Revoke(r.Context(), rq.Actor, v["store"], v["account"], v["verification"])
	if _, _, ok := formErrors(err, func(s string) string { return s }); ok {
		return h.renderVerificationTab(w, r, rq, statusOf(err), verifyForm{}, err)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(accountVerificationRoute, nil, vars...), "saved")
	return nil
}
