package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// The account profile's Authenticators tab (seed 002): every way the
// customer signs in, and support's tools — a password-reset e-mail, a
// new password, an address confirmed by a code the customer reads out,
// removing a lost method or an external identity, clearing a lockout.
// Each change form offers "Notify the customer" (_admin_notify.html).

// AccountAuthService is manage.AccountAuthenticators.
type AccountAuthService interface {
	List(ctx context.Context, a manage.Actor, storeID, accountID string) (*manage.AuthenticatorsView, error)
	SendPasswordReset(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.ResetInput) error
	SetPassword(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.SetPasswordInput) error
	RemovePassword(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.RemovePasswordInput) error
	RemoveAuthenticator(ctx context.Context, a manage.Actor, storeID, accountID, id string, in manage.RemoveInput) error
	RemoveRecoveryCodes(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.RemoveInput) error
	StartContact(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.ContactInput) (*manage.PendingContact, error)
	ConfirmContact(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.ConfirmContactInput) error
	ClearLockout(ctx context.Context, a manage.Actor, storeID, accountID string) (int64, error)
	RemoveExternalIdentity(ctx context.Context, a manage.Actor, storeID, accountID, provider, subject string, in manage.RemoveInput) error
}

// NoticeService lists the clients a customer notice may go through
// (manage.CustomerNotices).
type NoticeService interface {
	ClientsFor(ctx context.Context, a manage.Actor, storeID, accountID string) ([]manage.NoticeClient, error)
}

const (
	accountAuthRoute          = "console.account_authenticators"
	accountResetRoute         = "console.account_password_reset"
	accountPasswordRoute      = "console.account_password_set"
	accountPasswordDropRoute  = "console.account_password_remove"
	accountAuthRemoveRoute    = "console.account_authenticator_remove"
	accountContactRoute       = "console.account_contact"
	accountContactVerifyRoute = "console.account_contact_confirm"
	accountLockoutRoute       = "console.account_lockout_clear"
	accountExternalDropRoute  = "console.account_external_remove"
)

func (h *Handler) mountAccountAuthenticators(r *mux.Router) {
	if h.accountAuth == nil || h.notices == nil {
		return
	}
	p := accountPathPrefix + "/authenticators"
	route.Handle(r, accountAuthRoute, p, route.Methods{http.MethodGet: h.authed(h.authenticatorsTab)})
	for name, path := range map[string]string{
		accountResetRoute: "/reset", accountPasswordRoute: "/password", accountPasswordDropRoute: "/password/remove",
		accountAuthRemoveRoute: "/remove", accountContactRoute: "/contact", accountContactVerifyRoute: "/contact/confirm",
		accountLockoutRoute: "/lockout", accountExternalDropRoute: "/external/remove",
	} {
		route.Handle(r, name, p+path, route.Methods{http.MethodPost: h.authed(h.authenticatorsPost(name))})
	}
	h.addAccountTab(accountTab{Route: accountAuthRoute, Label: "admin.account.tab.authenticators", Order: accountTabAuthenticators})
}

// authenticatorsPage is the data of admin_account_authenticators.
type authenticatorsPage struct {
	*accountFrame
	View   *manage.AuthenticatorsView
	Notify noticeChoice
	// The forms' URLs.
	ResetURL, PasswordURL, PasswordRemoveURL, RemoveURL, ContactURL, ContactConfirmURL, LockoutURL string
	ExternalRemoveURL                                                                              string
	// Form is the form that failed ("" for none), with what was typed
	// (never a password) and each field's error.
	Form        string
	Values      map[string]string
	FieldErrors map[string]string
}

// noticeChoice is what the "Notify the customer" partial offers: the
// clients that fit the account and the one chosen.
type noticeChoice struct {
	Clients []manage.NoticeClient
	// FailedForm is the form a refusal re-renders; only it shows Selected
	// and Error.
	FailedForm string
	Selected   string
	Error      string
}

// For is the choice for one form of the page: its field ids start with
// form; required leaves out "Do not notify"; legend is its catalog key
// ("" for admin.notify.legend).
func (n noticeChoice) For(form string, required bool, legend string) noticeField {
	f := noticeField{Clients: n.Clients, Form: form, Required: required, Legend: legend, None: "admin.notify.none"}
	if f.Legend == "" {
		f.Legend = "admin.notify.legend"
	} else {
		f.None = legend + ".none" // what choosing no client means for this form
	}
	if form == n.FailedForm {
		f.Selected, f.Error = n.Selected, n.Error
	}
	return f
}

// noticeField is the partial's data (admin_notify in _admin_notify.html):
// other pages' forms give it the same fields.
type noticeField struct {
	Clients  []manage.NoticeClient
	Form     string
	Required bool
	Legend   string
	// None labels the empty choice (not Required only).
	None     string
	Selected string
	Error    string
}

// noticeFrom reads the partial's select from a form.
func noticeFrom(r *http.Request) *manage.NotifyChoice {
	id := strings.TrimSpace(r.PostFormValue("notify_client_id"))
	if id == "" {
		return nil
	}
	return &manage.NotifyChoice{ClientID: id}
}

func (h *Handler) authenticatorsTab(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderAuthenticators(w, r, rq, http.StatusOK, "", nil, nil)
}

// renderAuthenticators shows the tab; form names the form err refused.
func (h *Handler) renderAuthenticators(w http.ResponseWriter, r *http.Request, rq *request, status int, form string, values map[string]string, err error) error {
	f, ferr := h.accountFrameFor(r, rq, accountAuthRoute)
	if ferr != nil {
		return ferr
	}
	view, lerr := h.accountAuth.List(r.Context(), rq.Actor, f.StoreID, f.Account.ID)
	if lerr != nil {
		return lerr
	}
	vars := []string{"store", f.StoreID, "account", f.Account.ID}
	p := &authenticatorsPage{accountFrame: f, View: view, Notify: noticeChoice{Clients: f.NoticeClients}, Form: form, Values: values,
		ResetURL: h.path(accountResetRoute, nil, vars...), PasswordURL: h.path(accountPasswordRoute, nil, vars...),
		PasswordRemoveURL: h.path(accountPasswordDropRoute, nil, vars...), RemoveURL: h.path(accountAuthRemoveRoute, nil, vars...),
		ContactURL: h.path(accountContactRoute, nil, vars...), ContactConfirmURL: h.path(accountContactVerifyRoute, nil, vars...),
		LockoutURL: h.path(accountLockoutRoute, nil, vars...), ExternalRemoveURL: h.path(accountExternalDropRoute, nil, vars...)}
	if err != nil {
		errs, pageErr, _ := formErrors(err, func(f string) string { return f })
		p.FieldErrors, p.Error = errs, pageErr
		p.Notify.Error = errs["notify.client_id"]
		if p.Notify.Error == "" {
			p.Notify.Error = errs["client_id"]
		}
		p.Notify.Selected, p.Notify.FailedForm = values["notify_client_id"], form
	}
	h.page(w, r, rq, "admin_account_authenticators", status, f.StoreID, p)
	return nil
}

// authenticatorsPost runs the form posted to the route name: a refusal
// the form can show re-renders the tab with it, success redirects back
// with a notice.
func (h *Handler) authenticatorsPost(name string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, rq *request) error {
		v := mux.Vars(r)
		storeID, accountID := v["store"], v["account"]
		values := map[string]string{"notify_client_id": r.PostFormValue("notify_client_id"),
			"kind": r.PostFormValue("kind"), "address": r.PostFormValue("address")}
		notice, err := h.runAuthenticatorForm(r, rq, name, storeID, accountID)
		if _, _, ok := formErrors(err, indexedField); ok {
			return h.renderAuthenticators(w, r, rq, statusOf(err), r.PostFormValue("form"), values, err)
		}
		if err != nil {
			return err
		}
		h.done(w, r, h.path(accountAuthRoute, nil, "store", storeID, "account", accountID), notice)
		return nil
	}
}

// runAuthenticatorForm calls the service the form names and returns the
// notice to show after it.
func (h *Handler) runAuthenticatorForm(r *http.Request, rq *request, name, storeID, accountID string) (string, error) {
	ctx, a, n := r.Context(), rq.Actor, noticeFrom(r)
	switch name {
	case accountResetRoute:
		return "reset_sent", h.accountAuth.SendPasswordReset(ctx, a, storeID, accountID, manage.ResetInput{ClientID: r.PostFormValue("notify_client_id")})
	case accountPasswordRoute:
		pw := r.PostFormValue("password")
		if pw != r.PostFormValue("password_confirm") {
			return "", manage.Problems{"password_confirm": "the two passwords differ"}.Err()
		}
		return "password_set", h.accountAuth.SetPassword(ctx, a, storeID, accountID, manage.SetPasswordInput{Password: pw, Notify: n})
	case accountPasswordDropRoute:
		return "authenticator_removed", h.accountAuth.RemovePassword(ctx, a, storeID, accountID,
			manage.RemovePasswordInput{Confirm: r.PostFormValue("confirm") == "yes", Notify: n})
	case accountAuthRemoveRoute:
		if r.PostFormValue("kind") == "recovery_codes" {
			return "authenticator_removed", h.accountAuth.RemoveRecoveryCodes(ctx, a, storeID, accountID, manage.RemoveInput{Notify: n})
		}
		return "authenticator_removed", h.accountAuth.RemoveAuthenticator(ctx, a, storeID, accountID, r.PostFormValue("id"), manage.RemoveInput{Notify: n})
	case accountContactRoute:
		_, err := h.accountAuth.StartContact(ctx, a, storeID, accountID, manage.ContactInput{Kind: r.PostFormValue("kind"),
			Address: r.PostFormValue("address"), SecondFactor: r.PostFormValue("second_factor") == "yes", ClientID: r.PostFormValue("notify_client_id")})
		return "code_sent", err
	case accountContactVerifyRoute:
		return "contact_added", h.accountAuth.ConfirmContact(ctx, a, storeID, accountID,
			manage.ConfirmContactInput{Kind: r.PostFormValue("kind"), Code: r.PostFormValue("code"), Notify: n})
	case accountExternalDropRoute:
		return "external_removed", h.accountAuth.RemoveExternalIdentity(ctx, a, storeID, accountID,
			r.PostFormValue("provider"), r.PostFormValue("subject"), manage.RemoveInput{Notify: n})
	default: // accountLockoutRoute
		_, err := h.accountAuth.ClearLockout(ctx, a, storeID, accountID)
		return "lockout_cleared", err
	}
}
