package selfservice

import "foyer/selfservice/attrform"

// orgCases are the organization registration pages for
// TestPagesRenderTheirData.
func orgCases() []pageCase {
	person := []string{"username", "phone", "attr_city", "password", "accept_terms"}
	city := []attrform.Input{{Name: "city", Field: "attr_city", ID: "attr_city", Label: "City label", Kind: "text", Required: true, Value: "Zurich", MaxLength: 40}}
	personWant := []string{`value="ada-user" required`, `value="phone-value" required`, `<label for="attr_city">City label</label>`,
		`value="Zurich"`, "19", `<a href="/doc-url">test.doc</a>`, `type="checkbox" checked`, `value="ada@example.com" readonly`}
	return []pageCase{
		{"org register, address", "org_register_start", &orgStartData{pageForm: testForm("/start-action", "email"),
			Email: "ada@example.com", SignInURL: "/signin-url"},
			append(formWant("/start-action", "email"), `value="ada@example.com"`, `href="/signin-url"`)},
		{"org register, company", "org_register", &orgRegisterData{
			pageForm:  testForm("/org-action", append([]string{"organization_name", "org.vat"}, person...)...),
			SwitchURL: "/switch-url", Email: "ada@example.com", OrganizationName: "Acme AG",
			OrgAttributes: []attrform.Input{{Name: "vat", Field: "org.vat", ID: "org.vat", Label: "VAT label", Kind: "text", Required: true, Value: "CHE-1", MaxLength: 20}},
			ShowUsername:  true, UsernameRequired: true, Username: "ada-user", ShowPhone: true, PhoneRequired: true, Phone: "phone-value",
			Attributes: city, MinLength: 19, Documents: []consentDocument{{Label: "test.doc", URL: "/doc-url"}}, Accepted: true},
			append(append(formWant("/org-action", append([]string{"organization_name", "org.vat"}, person...)...), personWant...),
				`value="Acme AG"`, `<label for="org.vat">VAT label</label>`, `value="CHE-1"`, `href="/switch-url"`)},
		{"org register, partner", "org_register", &orgRegisterData{
			pageForm: testForm("/org-action", append([]string{"partner_code"}, person...)...),
			Partner:  true, SwitchURL: "/switch-url", Email: "ada@example.com", PartnerCode: "code-typed",
			ShowUsername: true, UsernameRequired: true, Username: "ada-user", ShowPhone: true, PhoneRequired: true, Phone: "phone-value",
			Attributes: city, MinLength: 19, Documents: []consentDocument{{Label: "test.doc", URL: "/doc-url"}}, Accepted: true},
			append(append(formWant("/org-action", append([]string{"partner_code"}, person...)...), personWant...),
				`value="code-typed"`, `<label for="partner_code">`, `href="/switch-url"`)},
	}
}
