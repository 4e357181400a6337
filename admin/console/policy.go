package console

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

// policyPage is the data of admin_policy: one policy's name and the
// settings of its kind, its Default flag, the applications using it and
// its deletion.
type policyPage struct {
	frame
	ID, Kind, KindLabel string
	Name                string
	IsDefault           bool
	Version             int64
	Applications        []string
	CanWrite            bool
	SaveURL, DefaultURL string
	DeleteURL, BackURL  string
	Form                policyForm
	FieldErrors         map[string]string
	// NewOrgRole and PartnerRole are the onboarding's role selects;
	// NotOrganizational names the applications using the policy that
	// ignore customer and partner registration.
	NewOrgRole, PartnerRole roleSelect
	NotOrganizational       []string
	// External are the upstream providers the policy's stores offer
	// (policy_external.go).
	External []providerGroup
}

// policyForm is a policy's form as shown or as typed. Self-service, MFA
// and portal policies have fields; a consent policy is a list of
// documents edited as JSON (a form per document would be long), which the
// service validates.
type policyForm struct {
	Name string
	// Self-service; the lifetimes in minutes.
	Registration, Activation            bool
	ResetByEmailLink, ResetByPhoneCode  bool
	UsernameReminder, AllowUnconfirmed  bool
	ResetLinkMinutes, ActivationMinutes string
	CodeMinutes, PasswordMinLength      string
	Onboarding                          onboardingForm
	External                            externalForm
	// MFA.
	Mode         string
	Methods      []typeChoice
	Passwordless bool
	// Consent.
	ConsentJSON string
	// Portal.
	Launcher bool
	Groups   string
}

// mfaModes are the MFA policy's modes, in the order the form offers them.
var mfaModes = []string{storage.MFAOff, storage.MFAOptional, storage.MFARequired}

func (policyForm) Modes() []string { return mfaModes }

// numberField is one of the self-service form's number inputs.
type numberField struct{ Name, Label, Value string }

// Numbers are the self-service form's number inputs as shown or typed.
func (f policyForm) Numbers() []numberField {
	return []numberField{
		{"reset_link_minutes", "admin.policy.reset_link_minutes", f.ResetLinkMinutes},
		{"activation_link_minutes", "admin.policy.activation_minutes", f.ActivationMinutes},
		{"code_minutes", "admin.policy.code_minutes", f.CodeMinutes},
		{"password_min_length", "admin.policy.password_min_length", f.PasswordMinLength},
	}
}

func minutes(d time.Duration) string { return strconv.FormatInt(int64(d/time.Minute), 10) }

func methodChoices(checked []string) []typeChoice {
	out := make([]typeChoice, 0, len(storage.AllMFAMethods))
	for _, m := range storage.AllMFAMethods {
		out = append(out, typeChoice{Value: m, Label: "admin.policy.method." + m, Checked: slices.Contains(checked, m)})
	}
	return out
}

// formOfPolicy is the form showing v.
func formOfPolicy(v manage.PolicyView) policyForm {
	f := policyForm{Name: v.Name}
	if ss := v.SelfService; ss != nil {
		f.Registration, f.Activation = ss.RegistrationEnabled, ss.ActivationEnabled
		f.ResetByEmailLink, f.ResetByPhoneCode = ss.RecoveryMethods.ResetByEmailLink, ss.RecoveryMethods.ResetByPhoneCode
		f.UsernameReminder, f.AllowUnconfirmed = ss.RecoveryMethods.UsernameReminder, ss.AllowUnconfirmedContacts
		f.ResetLinkMinutes, f.ActivationMinutes = minutes(ss.ResetLinkLifetime), minutes(ss.ActivationLinkLifetime)
		f.CodeMinutes, f.PasswordMinLength = minutes(ss.OneTimeCodeLifetime), strconv.Itoa(ss.PasswordPolicy.MinLength)
		f.Onboarding = onboardingOf(ss.Onboarding)
		f.External = externalOf(ss.External)
	}
	if m := v.MFA; m != nil {
		f.Mode, f.Methods, f.Passwordless = m.Mode, methodChoices(m.Methods), m.Passwordless
	}
	if v.Consent != nil {
		b, _ := json.MarshalIndent(*v.Consent, "", "  ")
		f.ConsentJSON = string(b)
	}
	if pp := v.Portal; pp != nil {
		f.Launcher, f.Groups = pp.LauncherEnabled, strings.Join(pp.Groups, "\n")
	}
	return f
}

// readPolicyForm reads the form of a policy of kind.
func readPolicyForm(r *http.Request, kind storage.PolicyKind) policyForm {
	on := func(name string) bool { return r.PostFormValue(name) == "yes" }
	f := policyForm{Name: r.PostFormValue("name")}
	switch kind {
	case storage.PolicySelfService:
		f.Registration, f.Activation = on("registration_enabled"), on("activation_enabled")
		f.ResetByEmailLink, f.ResetByPhoneCode = on("reset_by_email_link"), on("reset_by_phone_code")
		f.UsernameReminder, f.AllowUnconfirmed = on("username_reminder"), on("allow_unconfirmed_contacts")
		f.ResetLinkMinutes, f.ActivationMinutes = r.PostFormValue("reset_link_minutes"), r.PostFormValue("activation_link_minutes")
		f.CodeMinutes, f.PasswordMinLength = r.PostFormValue("code_minutes"), r.PostFormValue("password_min_length")
		f.Onboarding = readOnboarding(r)
		f.External = readExternal(r)
	case storage.PolicyMFA:
		f.Mode, f.Methods, f.Passwordless = r.PostFormValue("mode"), methodChoices(r.PostForm["methods"]), on("passwordless")
	case storage.PolicyConsent:
		f.ConsentJSON = r.PostFormValue("consent")
	case storage.PolicyPortal:
		f.Launcher, f.Groups = on("launcher_enabled"), r.PostFormValue("groups")
	}
	return f
}

// input is the service's input for the form over the policy v; what the
// form cannot express (the password's maximum length, the re-request
// interval) stays as v has it. Numbers or JSON the form cannot read are
// field errors of their own.
func (f policyForm) input(v manage.PolicyView) (manage.PolicyInput, map[string]string) {
	in := manage.PolicyInput{Kind: v.Kind, Name: f.Name}
	errs := map[string]string{}
	number := func(field, s string) int64 {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
		if err != nil || n < 0 {
			errs[field] = "a whole number, 0 or more"
		}
		return n
	}
	switch v.Kind {
	case storage.PolicySelfService:
		ss := *v.SelfService
		ss.RegistrationEnabled, ss.ActivationEnabled, ss.AllowUnconfirmedContacts = f.Registration, f.Activation, f.AllowUnconfirmed
		ss.RecoveryMethods = storage.RecoveryMethods{ResetByEmailLink: f.ResetByEmailLink, ResetByPhoneCode: f.ResetByPhoneCode, UsernameReminder: f.UsernameReminder}
		ss.ResetLinkLifetime = time.Duration(number("reset_link_minutes", f.ResetLinkMinutes)) * time.Minute
		ss.ActivationLinkLifetime = time.Duration(number("activation_link_minutes", f.ActivationMinutes)) * time.Minute
		ss.OneTimeCodeLifetime = time.Duration(number("code_minutes", f.CodeMinutes)) * time.Minute
		ss.PasswordPolicy.MinLength = int(number("password_min_length", f.PasswordMinLength))
		f.Onboarding.apply(&ss.Onboarding, number)
		f.External.apply(&ss.External)
		in.SelfService = &ss
	case storage.PolicyMFA:
		m := storage.MFAPolicy{Mode: f.Mode, Methods: []string{}, Passwordless: f.Passwordless}
		for _, c := range f.Methods {
			if c.Checked {
				m.Methods = append(m.Methods, c.Value)
			}
		}
		in.MFA = &m
	case storage.PolicyConsent:
		var docs []storage.ConsentDocument
		if err := json.Unmarshal([]byte(f.ConsentJSON), &docs); err != nil {
			errs["consent"] = "a JSON list of documents: " + err.Error()
		}
		in.Consent = &docs
	case storage.PolicyPortal:
		in.Portal = &storage.PortalPolicy{LauncherEnabled: f.Launcher, Groups: lines(f.Groups)}
		if in.Portal.Groups == nil {
			in.Portal.Groups = []string{}
		}
	}
	return in, errs
}

func (h *Handler) policyPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := h.policyFor(r, rq)
	if err != nil {
		return err
	}
	return h.renderPolicy(w, r, rq, http.StatusOK, v, formOfPolicy(v), nil, "")
}

func (h *Handler) renderPolicy(w http.ResponseWriter, r *http.Request, rq *request, status int, v manage.PolicyView,
	f policyForm, errs map[string]string, pageErr string) error {
	p := &policyPage{ID: v.ID, Kind: string(v.Kind), KindLabel: "admin.policies.kind." + string(v.Kind), IsDefault: v.IsDefault,
		Version: v.Version, Applications: v.Applications, CanWrite: rq.Actor.Can(manage.WriteConfig, ""),
		SaveURL: h.path(policyRoute, nil, "policy", v.ID), DefaultURL: h.path(policyDefaultRoute, nil, "policy", v.ID),
		DeleteURL: h.path(policyDeleteRoute, nil, "policy", v.ID), BackURL: h.path(policiesRoute, nil),
		Name: f.Name, Form: f, FieldErrors: errs}
	p.BackURL += "?kind=" + string(v.Kind)
	p.Error = pageErr
	if v.Kind == storage.PolicySelfService {
		groups, plain, err := h.onboardingRoles(r, rq, v)
		if err != nil {
			return err
		}
		storeIDs, _ := h.policyStores(r, rq, v)
		if p.External, err = h.externalChoices(r, rq, storeIDs, f.External); err != nil {
			return err
		}
		p.NotOrganizational = plain
		p.NewOrgRole = newRoleSelect(fieldNewOrgRole, "admin.policy.new_organization_role", f.Onboarding.NewOrgRoleID, groups, errs)
		p.PartnerRole = newRoleSelect(fieldPartnerRole, "admin.policy.partner_role", f.Onboarding.PartnerRoleID, groups, errs)
	}
	h.page(w, r, rq, "admin_policy", status, "", p)
	return nil
}

// updatePolicy saves the name and the settings; every application using
// the policy gets them at once.
func (h *Handler) updatePolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := h.policyFor(r, rq)
	if err != nil {
		return err
	}
	if err := rq.Actor.Require(manage.WriteConfig, ""); err != nil {
		return err
	}
	f := readPolicyForm(r, v.Kind)
	in, errs := f.input(v)
	if len(errs) > 0 {
		return h.renderPolicy(w, r, rq, http.StatusUnprocessableEntity, v, f, errs, "admin.fix_errors")
	}
	_, err = h.policies.Update(r.Context(), rq.Actor, v.ID, formVersion(r), in)
	// The service names the body's problems after the kind ("mfa"): the
	// form shows them above the settings.
	rename := func(field string) string {
		if field == string(v.Kind) {
			return "body"
		}
		if f, ok := onboardingField(field); ok {
			return f
		}
		if f, ok := externalField(field); ok {
			return f
		}
		return indexedField(field)
	}
	if errs, pageErr, ok := formErrors(err, rename); ok {
		return h.renderPolicy(w, r, rq, statusOf(err), v, f, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(policyRoute, nil, "policy", v.ID), "saved")
	return nil
}
