package console

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"foyer/admin/manage"
)

// orgForm is an organization's form as typed: the domains one per line.
type orgForm struct {
	Name    string
	Partner bool
	Domains string
}

func readOrgForm(r *http.Request) orgForm {
	return orgForm{Name: r.PostFormValue("name"), Partner: r.PostFormValue("partner") == "yes", Domains: r.PostFormValue("domains")}
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
	return manage.OrganizationInput{Name: f.Name, Partner: f.Partner, Domains: f.domainLines()}
}

func joinDomains(ds []string) string { return strings.Join(ds, ", ") }

// orgFormData is what an organization form shows: what was typed, the
// field errors and each bad domain's own error.
type orgFormData struct {
	Form         orgForm
	FieldErrors  map[string]string
	DomainErrors []string
}

// set fills the form from in and the service's err, returning the
// page's error.
func (d *orgFormData) set(in orgForm, err error) string {
	d.Form = in
	fields, pageErr, _ := formErrors(err, func(s string) string { return s })
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
