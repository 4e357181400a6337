package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/accountexport"
	"foyer/selfservice/attrform"
	"foyer/selfservice/route"
	"foyer/storage"
)

// AccountActionService is what the overview actions and the Groups tab
// run (manage.AccountActions).
type AccountActionService interface {
	Disable(ctx context.Context, a manage.Actor, storeID, id string) error
	Enable(ctx context.Context, a manage.Actor, storeID, id string) error
	Delete(ctx context.Context, a manage.Actor, storeID, id string) error
	AddToGroup(ctx context.Context, a manage.Actor, storeID, id, groupID string) error
	RemoveFromGroup(ctx context.Context, a manage.Actor, storeID, id, groupID string) error
	EndSessions(ctx context.Context, a manage.Actor, storeID, id string) (int, error)
	// SetStatus is Enable or Disable with the optional customer notice.
	SetStatus(ctx context.Context, a manage.Actor, storeID, id string, status storage.AccountStatus, n *manage.NotifyChoice) error
}

// AccountProfileService is what the Attributes and Groups tabs and the
// download read and edit (manage.AccountProfiles).
type AccountProfileService interface {
	Get(ctx context.Context, a manage.Actor, storeID, id string) (*manage.AccountProfile, error)
	UpdateAttributes(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.AttributesInput) (*manage.AccountProfile, error)
	Export(ctx context.Context, a manage.Actor, storeID, id string) (*manage.AccountExport, error)
	StoreGroups(ctx context.Context, a manage.Actor, storeID string) ([]manage.GroupRef, error)
}

const accountGroupsRoute = "console.account_groups"

// mountAccountProfile registers the profile (its Attributes tab), the
// overview panel's actions and the Groups tab, when the services are
// there.
func (h *Handler) mountAccountProfile(r *mux.Router) {
	if h.acctActions == nil || h.acctProfiles == nil {
		return
	}
	route.Handle(r, accountRoute, accountPathPrefix, route.Methods{
		http.MethodGet: h.authed(h.accountAttributesPage), http.MethodPost: h.authed(h.saveAccountAttributes)})
	route.Handle(r, accountExportRoute, accountPathPrefix+"/export", route.Methods{http.MethodGet: h.authed(h.exportAccount)})
	route.Handle(r, accountStatusRoute, accountPathPrefix+"/status", route.Methods{http.MethodPost: h.authed(h.setAccountStatus)})
	route.Handle(r, accountSessionsEndRoute, accountPathPrefix+"/end-sessions", route.Methods{http.MethodPost: h.authed(h.endSessionsFromOverview)})
	route.Handle(r, accountDeleteRoute, accountPathPrefix+"/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteAccount), http.MethodPost: h.authed(h.deleteAccount)})
	route.Handle(r, accountGroupsRoute, accountPathPrefix+"/groups", route.Methods{
		http.MethodGet: h.authed(h.accountGroupsPage), http.MethodPost: h.authed(h.changeAccountGroups)})
	h.addAccountTab(accountTab{Route: accountRoute, Label: "admin.account.tab.attributes", Order: accountTabAttributes})
	h.addAccountTab(accountTab{Route: accountGroupsRoute, Label: "admin.account.tab.groups", Order: accountTabGroups})
}

// accountVars are the route variables of the request's account.
func accountVars(f *accountFrame) []string {
	return []string{"store", f.StoreID, "account", f.Account.ID}
}

// accountAttributesPage is the data of admin_account_attributes: the
// account's identifiers, language and the attributes the schema shows in
// the console, as a form when the actor may change them.
type accountAttributesPage struct {
	accountFrame
	SaveURL      string
	Version      int64
	Email        string
	Phone        string
	Username     string
	Language     string
	ShowUsername bool
	Fields       []attrform.Input
	FieldErrors  map[string]string
}

// attrNaming: an attribute's form field is "attr.NAME", its element
// "attr-NAME".
func attrNaming(name string) (field, id string) { return "attr." + name, "attr-" + name }

// consoleDefs are the profile's attribute fields as schema definitions,
// editable as the console's flag says.
func consoleDefs(p *manage.AccountProfile) []storage.AttributeDef {
	defs := make([]storage.AttributeDef, 0, len(p.Fields))
	for _, f := range p.Fields {
		defs = append(defs, storage.AttributeDef{Name: f.Name, Label: f.Label, Type: f.Type, Required: f.Required,
			Editable: f.Editable, MaxLength: f.MaxLength, Options: f.Options})
	}
	return defs
}

func (h *Handler) accountAttributesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, p, err := h.accountProfileFor(r, rq, accountRoute)
	if err != nil {
		return err
	}
	h.renderAccountAttributes(w, r, rq, http.StatusOK, f, p, p.Version, nil, nil)
	return nil
}

func (h *Handler) accountProfileFor(r *http.Request, rq *request, tab string) (*accountFrame, *manage.AccountProfile, error) {
	f, err := h.accountFrameFor(r, rq, tab)
	if err != nil {
		return nil, nil, err
	}
	p, err := h.acctProfiles.Get(r.Context(), rq.Actor, f.StoreID, f.Account.ID)
	if err != nil {
		return nil, nil, err
	}
	return f, p, nil
}

// renderAccountAttributes shows the tab with the values of p, or those
// posted (in, when the edit was refused) and the refusal.
func (h *Handler) renderAccountAttributes(w http.ResponseWriter, r *http.Request, rq *request, status int, f *accountFrame,
	p *manage.AccountProfile, version int64, in *manage.AttributesInput, err error) {
	values := p.Attributes
	data := &accountAttributesPage{accountFrame: *f, SaveURL: h.path(accountRoute, nil, accountVars(f)...), Version: version,
		Email: p.Email, Phone: p.Phone, Username: p.Username, Language: p.Language,
		ShowUsername: p.Username != "" || slices.Contains(p.Identifiers, storage.IdentifierUsername)}
	if in != nil {
		data.Email, data.Phone, data.Username, data.Language = deref(in.Email), deref(in.Phone), deref(in.Username), deref(in.Language)
		values = in.Attributes
	}
	errs, pageErr, _ := formErrors(err, attrField)
	defs := consoleDefs(p)
	translateAttrErrors(defs, values, errs)
	data.FieldErrors = errs
	if err != nil {
		data.refusedNotice(r, "attributes", errs)
	}
	data.Error = pageErr
	data.Fields = attrform.WithErrors(attrform.Inputs(defs, values, attrNaming), errs)
	h.page(w, r, rq, "admin_account_attributes", status, f.StoreID, data)
}

// translateAttrErrors replaces the service's sentence about a refused
// attribute by the message key of the rule that refused it, as the
// portal's form shows it (in the administrator's language).
func translateAttrErrors(defs []storage.AttributeDef, values, errs map[string]string) {
	for _, d := range defs {
		if field, _ := attrNaming(d.Name); errs[field] != "" {
			errs[field] = attrform.MessageKey(d, values[d.Name])
		}
	}
}

// attrField maps the service's "attributes.NAME" to the form's field.
func attrField(field string) string {
	if name, ok := strings.CutPrefix(field, "attributes."); ok {
		f, _ := attrNaming(name)
		return f
	}
	return field
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// saveAccountAttributes applies the form if the account is still at the
// version it showed; every editable attribute is posted, so an empty one
// clears. (The "notify the customer" choice joins this form later.)
func (h *Handler) saveAccountAttributes(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, p, err := h.accountProfileFor(r, rq, accountRoute)
	if err != nil {
		return err
	}
	in := readAttributesForm(r, p)
	in.Notify = noticeFrom(r)
	version := formVersion(r)
	_, err = h.acctProfiles.UpdateAttributes(r.Context(), rq.Actor, f.StoreID, f.Account.ID, version, in)
	return h.saved(w, r, err, func(err error) {
		h.renderAccountAttributes(w, r, rq, statusOf(err), f, p, version, &in, err)
	}, h.path(accountRoute, nil, accountVars(f)...))
}

// readAttributesForm reads the identifiers and every console-editable
// attribute (attrform.Read: trimmed, a checkbox reads false unticked).
func readAttributesForm(r *http.Request, p *manage.AccountProfile) manage.AttributesInput {
	text := func(name string) *string { v := r.PostFormValue(name); return &v }
	in := manage.AttributesInput{Email: text("email"), Phone: text("phone"), Language: text("language"), Attributes: map[string]string{}}
	if slices.Contains(p.Identifiers, storage.IdentifierUsername) || p.Username != "" {
		in.Username = text("username")
	}
	defs := consoleDefs(p)
	posted := attrform.Read(defs, r.PostFormValue, attrNaming)
	for _, d := range defs {
		if d.Editable {
			in.Attributes[d.Name] = posted[d.Name]
		}
	}
	return in
}

// exportAccount downloads the account's information (format json or
// html), as the API's export.
func (h *Handler) exportAccount(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, "")
	if err != nil {
		return err
	}
	x, err := h.acctProfiles.Export(r.Context(), rq.Actor, f.StoreID, f.Account.ID)
	if err != nil {
		return err
	}
	name := "account-" + f.Account.ID
	if r.URL.Query().Get("format") == "html" {
		t := func(key string, args ...any) string { return h.render.T(rq.Lang, key, args...) }
		return accountexport.WriteHTML(w, x.HTMLPage(rq.Lang, t), t, name+".html")
	}
	return accountexport.WriteJSON(w, x, name+".json")
}

// setAccountStatus enables or disables the account (status=enabled or
// disabled); disabling ends every session and token at once.
func (h *Handler) setAccountStatus(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, "")
	if err != nil {
		return err
	}
	var notice string
	switch r.PostFormValue("status") {
	case string(storage.AccountEnabled):
		err, notice = h.acctActions.SetStatus(r.Context(), rq.Actor, f.StoreID, f.Account.ID, storage.AccountEnabled, statusNotice(r)), "account_enabled"
	case string(storage.AccountDisabled):
		err, notice = h.acctActions.SetStatus(r.Context(), rq.Actor, f.StoreID, f.Account.ID, storage.AccountDisabled, statusNotice(r)), "account_disabled"
	default:
		h.message(w, r, http.StatusBadRequest, "admin.account.bad_status")
		return nil
	}
	if _, _, ok := formErrors(err, indexedField); ok {
		h.message(w, r, http.StatusUnprocessableEntity, "admin.notify.refused") // the client does not fit: nothing changed
		return nil
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(accountRoute, nil, accountVars(f)...), notice)
	return nil
}

// endSessionsFromOverview ends every session of the account (the overview
// panel's "Delete sessions"; the Sessions tab has its own); the customer
// signs in again at the next visit.
func (h *Handler) endSessionsFromOverview(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, "")
	if err != nil {
		return err
	}
	if _, err := h.acctActions.EndSessions(r.Context(), rq.Actor, f.StoreID, f.Account.ID); err != nil {
		return err
	}
	h.done(w, r, h.path(accountRoute, nil, accountVars(f)...), "sessions_ended")
	return nil
}

// confirmDeleteAccount asks before the irreversible deletion.
func (h *Handler) confirmDeleteAccount(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, "")
	if err != nil {
		return err
	}
	subject := f.Overview.Email
	if subject == "" {
		subject = joinNonEmpty(f.Overview.Username, f.Overview.Phone, f.Account.ID)
	}
	return h.confirm(w, r, rq, manage.WriteAccounts, f.StoreID, confirmPage{Title: "admin.account.delete_title",
		Question: "admin.account.delete_question", Subject: subject, Button: "admin.account.delete",
		ActionURL: h.path(accountDeleteRoute, nil, accountVars(f)...), CancelURL: h.path(accountRoute, nil, accountVars(f)...)})
}

// deleteAccount deletes it, only with the confirmation's confirm=yes,
// then goes back to the store's account list (or the dashboard when the
// list is not mounted).
func (h *Handler) deleteAccount(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, "")
	if err != nil {
		return err
	}
	after := f.ListURL
	if after == "" {
		after = h.path(homeRoute, nil)
	}
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(accountDeleteRoute, nil, accountVars(f)...),
		remove: func(int64) error { return h.acctActions.Delete(r.Context(), rq.Actor, f.StoreID, f.Account.ID) },
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			h.message(w, r, status, pageErr)
			return nil
		},
		after: to(after), notice: "account_deleted"})
}
