package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"foyer/admin/manage"
	"foyer/selfservice/attrform"
	"foyer/storage"
)

// orgForm is an organization's form as typed: the domains one per line,
// the company information by attribute name.
type orgForm struct {
	Name       string
	Partner    bool
	Domains    string
	Attributes map[string]string
	// DisplayName, LogoURL and PrimaryColor are the organization's own
	// branding (empty: the application's).
	DisplayName, LogoURL, PrimaryColor string
}

// readOrgForm reads the post; defs is the store's organization schema
// (orgSchema), whose values it reads.
func readOrgForm(r *http.Request, defs []storage.AttributeDef) orgForm {
	f := orgForm{Name: r.PostFormValue("name"), Partner: r.PostFormValue("partner") == "yes", Domains: r.PostFormValue("domains"),
		DisplayName: r.PostFormValue("display_name"), LogoURL: r.PostFormValue("logo_url"), PrimaryColor: r.PostFormValue("primary_color")}
	if len(defs) > 0 {
		f.Attributes = attrform.Read(defs, r.PostFormValue, attrNaming)
	}
	return f
}

// orgSchema is the store's organization schema as the console edits it:
// every attribute editable (the self-service flags are registration's).
func orgSchema(s *manage.IdentityStore) []storage.AttributeDef {
	defs := slices.Clone(s.OrganizationAttributes)
	for i := range defs {
		defs[i].Editable = true
	}
	return defs
}

// domainLines are the form's non-blank domain lines, in order: the
// service's domains[i] is the i-th of them.
func (f orgForm) domainLines() []string {
	var out []string
	for _, l := range strings.Split(f.Domains, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (f orgForm) input() manage.OrganizationInput {
	return manage.OrganizationInput{Name: f.Name, Partner: f.Partner, Domains: f.domainLines(), Attributes: f.Attributes,
		OrganizationBrandingInput: manage.OrganizationBrandingInput{DisplayName: f.DisplayName, LogoURL: f.LogoURL, PrimaryColor: f.PrimaryColor}}
}

func joinDomains(ds []string) string { return strings.Join(ds, ", ") }

// orgFormData is what an organization form shows: what was typed, the
// field errors and each bad domain's own error.
type orgFormData struct {
	Form         orgForm
	FieldErrors  map[string]string
	DomainErrors []string
	// Fields are the company information's controls (the organization
	// schema's), with their errors.
	Fields []attrform.Input
}

// set fills the form from in and the service's err, returning the
// page's error; defs is the organization schema.
func (d *orgFormData) set(in orgForm, defs []storage.AttributeDef, err error) string {
	d.Form = in
	fields, pageErr, _ := formErrors(err, attrField)
	translateAttrErrors(defs, in.Attributes, fields)
	d.Fields = attrform.WithErrors(attrform.Inputs(defs, in.Attributes, attrNaming), fields)
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		return pageErr
	}
	lines := in.domainLines()
	d.FieldErrors = map[string]string{}
	var idx []int
	for k, v := range fields {
		i, ok := domainIndex(k)
		if !ok {
			d.FieldErrors[k] = v
			continue
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		domain := ""
		if i < len(lines) {
			domain = lines[i]
		}
		d.DomainErrors = append(d.DomainErrors, fmt.Sprintf("%s: %s", domain, fields[fmt.Sprintf("domains[%d]", i)]))
	}
	if len(d.DomainErrors) > 0 && d.FieldErrors["domains"] == "" {
		// The textarea is marked invalid; the list below it says which.
		d.FieldErrors["domains"] = d.DomainErrors[0]
	}
	return pageErr
}

// domainIndex is i of a field "domains[i]".
func domainIndex(field string) (int, bool) {
	rest, ok := strings.CutPrefix(field, "domains[")
	if !ok || !strings.HasSuffix(rest, "]") {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
	return i, err == nil
}
