package selfservice

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"foyer/selfservice/attrform"
	"foyer/storage"
	"foyer/themes"
)

// orgRegistration is an opened registration link with what it names.
type orgRegistration struct {
	link   orgLink
	token  string
	app    *storage.Application
	client *storage.Client
	pol    storage.SelfServicePolicy
	fields formFields
	// orgFields is the company information the store asks for.
	orgFields []storage.AttributeDef
	lang      string
	// partner: the page joins a partner with a code rather than creating
	// a customer organization; both: the page offers the choice.
	partner, both bool
	roleID        string
	// flow is the sign-in this browser started and still waits, or nil
	// (the link opened elsewhere, or the request ended).
	flow *Flow
}

// orgForm is what the organization registration page posted.
type orgForm struct {
	registerForm
	OrganizationName string
	OrgAttributes    map[string]string
	PartnerCode      string
}

// orgAttrNaming names a company attribute's field apart from the
// person's attributes.
func orgAttrNaming(name string) (field, id string) { return "org." + name, "org." + name }

// decodeOrgLink reads a sealed link's value; a value that does not
// decode is a bad link like a bad seal.
func decodeOrgLink(raw string, link *orgLink) bool {
	return json.Unmarshal([]byte(raw), link) == nil
}

// loadOrgRegistration opens the link and checks the policy still offers
// what it leads to. When ok is false the request was answered with a
// page, or the error is the caller's to return.
func (h *Handler) loadOrgRegistration(w http.ResponseWriter, r *http.Request, token string, wantPartner bool) (_ *orgRegistration, ok bool, _ error) {
	ctx := r.Context()
	raw, valid := h.signer.OpenAt(orgLinkPurpose, token, h.cfg.Now())
	reg := &orgRegistration{token: token}
	if !valid || !decodeOrgLink(raw, &reg.link) {
		h.errorPage(w, r, http.StatusBadRequest, "org_register.invalid_link")
		return nil, false, nil
	}
	var err error
	if reg.app, err = h.store.GetApplication(ctx, reg.link.App); errors.Is(err, storage.ErrNotFound) {
		h.errorPage(w, r, http.StatusBadRequest, "org_register.invalid_link")
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("selfservice: load application: %w", err)
	}
	if reg.client, err = h.store.GetClient(ctx, reg.link.Client); errors.Is(err, storage.ErrNotFound) || (err == nil && reg.client.ApplicationID != reg.app.ID) {
		h.errorPage(w, r, http.StatusBadRequest, "org_register.invalid_link")
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("selfservice: load client: %w", err)
	}
	store, err := h.store.GetIdentityStore(ctx, reg.app.StoreID)
	if err != nil {
		return nil, false, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	reg.pol, reg.fields = reg.app.SelfService.Effective(store), fieldsFor(store)
	reg.orgFields = attrform.Askable(store.OrganizationAttributes)
	reg.lang = h.render.NegotiateRequest(r, reg.link.Lang, "")
	if !reg.pol.RegistrationEnabled || !orgOnboarding(reg.app, reg.pol) {
		h.errorPage(w, r, http.StatusForbidden, "register.disabled")
		return nil, false, nil
	}
	return h.checkOrgRegistration(w, r, reg, wantPartner)
}

// checkOrgRegistration picks the page's kind, refuses one the operator
// has not set up (a new organization without an administrator would be
// nobody's) and a link whose account exists already.
func (h *Handler) checkOrgRegistration(w http.ResponseWriter, r *http.Request, reg *orgRegistration, wantPartner bool) (_ *orgRegistration, ok bool, _ error) {
	ctx := r.Context()
	on := reg.pol.Onboarding
	reg.both = on.CustomerRegistration && on.PartnerRegistration
	reg.partner = on.PartnerRegistration && (wantPartner || !on.CustomerRegistration)
	reg.roleID = on.NewOrganizationRoleID
	if reg.partner {
		reg.roleID = on.PartnerRoleID
	}
	if reg.roleID == "" {
		h.errorPage(w, r, http.StatusServiceUnavailable, "org_register.not_configured")
		return nil, false, nil
	}
	if _, err := h.store.GetStoreRole(ctx, reg.app.StoreID, reg.roleID); errors.Is(err, storage.ErrNotFound) {
		h.errorPage(w, r, http.StatusServiceUnavailable, "org_register.not_configured")
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("selfservice: load role: %w", err)
	}
	if _, err := h.store.FindAccountByIdentifier(ctx, reg.app.StoreID, storage.IdentifierEmail, reg.link.Email); err == nil {
		h.errorPage(w, r, http.StatusBadRequest, "org_register.link_used")
		return nil, false, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, false, fmt.Errorf("selfservice: find account: %w", err)
	}
	reg.flow = h.waitingFlow(w, r, reg.link.Interaction)
	return reg, true, nil
}

func (h *Handler) showOrgRegister(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg, ok, err := h.loadOrgRegistration(w, r, q.Get("token"), q.Get("partner") == "1")
	if !ok {
		return err
	}
	return h.renderOrgRegister(w, r, reg, orgForm{}, nil, 0)
}

// readOrgForm reads the posted fields the page showed.
func readOrgForm(r *http.Request, reg *orgRegistration) orgForm {
	form := orgForm{registerForm: readRegisterForm(r, reg.fields)}
	form.Email = reg.link.Email // the link proved it; the page does not post it
	if reg.partner {
		form.PartnerCode = strings.TrimSpace(r.PostFormValue("partner_code"))
	} else {
		form.OrganizationName = strings.Join(strings.Fields(r.PostFormValue("organization_name")), " ")
		form.OrgAttributes = attrform.Read(reg.orgFields, r.PostFormValue, orgAttrNaming)
	}
	return form
}

// checkOrgForm returns the errors of the form, each by its field.
func (h *Handler) checkOrgForm(reg *orgRegistration, form orgForm) map[string]string {
	errs := map[string]string{}
	fields := reg.fields
	fields.Email = false // from the link
	checkIdentifiers(fields, form.registerForm, errs)
	if name, key := h.checkPassword(reg.pol.PasswordPolicy, form.Password, form.Confirm); key != "" {
		errs[name] = key
	}
	if !form.Accepted && len(requiredDocuments(reg.app)) > 0 {
		errs["accept_terms"] = "register.terms_required"
	}
	if reg.partner {
		// The partner exists, or its lookup says what it is.
		if form.PartnerCode == "" {
			errs["partner_code"] = "org_register.code_required"
		}
		return errs
	}
	switch {
	case form.OrganizationName == "":
		errs["organization_name"] = "org_register.name_required"
	case !utf8.ValidString(form.OrganizationName) || strings.IndexFunc(form.OrganizationName, unicode.IsControl) >= 0:
		// As the admin side and the portal's rename refuse them; a NUL or
		// a byte that is not UTF-8 would not even store in PostgreSQL.
		errs["organization_name"] = "attribute_error.invalid_characters"
	case utf8.RuneCountInString(form.OrganizationName) > storage.MaxOrganizationName:
		errs["organization_name"] = "org_register.name_too_long"
	}
	for name, key := range attrform.Check(reg.orgFields, form.OrgAttributes) {
		errs["org."+name] = key
	}
	return errs
}

// renderOrgRegister shows the page with what was typed and its errors.
func (h *Handler) renderOrgRegister(w http.ResponseWriter, r *http.Request, reg *orgRegistration, form orgForm, errs map[string]string, status int) error {
	hidden := map[string]string{"token": reg.token}
	switchQuery := url.Values{"token": {reg.token}}
	if reg.partner {
		hidden["partner"] = "1"
	} else {
		switchQuery.Set("partner", "1")
	}
	d := &orgRegisterData{
		pageForm: pageForm{Action: h.path(orgRegisterRoute, nil), Hidden: hidden},
		Partner:  reg.partner, Email: reg.link.Email, OrganizationName: form.OrganizationName, PartnerCode: form.PartnerCode,
		OrgAttributes: h.attributeLabels(reg.lang, reg.orgFields, form.OrgAttributes, orgAttrNaming),
		Username:      form.Username, Phone: form.Phone, ShowUsername: reg.fields.Username,
		UsernameRequired: reg.fields.UsernameRequired, ShowPhone: reg.fields.Phone, PhoneRequired: reg.fields.PhoneRequired,
		Attributes: attrform.ForPerson(h.attributeLabels(reg.lang, reg.fields.Attributes, form.Attributes, attrNaming)),
		MinLength:  reg.pol.PasswordPolicy.MinLength, Documents: requiredDocuments(reg.app), Accepted: form.Accepted,
	}
	if reg.both {
		d.SwitchURL = h.path(orgRegisterRoute, switchQuery)
	}
	v := View{Template: "org_register", Data: d, FieldErrors: errs, Status: status}
	if status == 0 && len(errs) > 0 {
		v.Status = http.StatusBadRequest
	}
	return h.renderOrg(w, r, reg, v)
}

// renderOrg renders a page of the registration: inside the sign-in when
// this browser still has it waiting, else on its own with the link's
// language and the application's branding.
func (h *Handler) renderOrg(w http.ResponseWriter, r *http.Request, reg *orgRegistration, v View) error {
	if reg.flow != nil {
		h.renderStep(w, r, reg.flow, v)
		return nil
	}
	if p, ok := v.Data.(formPage); ok {
		fillForm(p.form(), v)
	}
	// The form's post may end at the client's brand portal.
	w.Header().Set("Content-Security-Policy", themes.CSPWithFormTarget(brandPortal(reg.client)))
	err := h.render.Render(w, r, themes.Page{Template: v.Template, Status: v.Status, Data: v.Data,
		Branding: branding(reg.app), Lang: reg.lang, Return: h.pickerReturn(r, nil, v.Data)})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render", "template", v.Template, "err", err)
	}
	return nil
}
