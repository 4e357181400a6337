package authz

import (
	"fmt"
	"html/template"

	"foyer/themes"
)

// The data of authz's pages, one struct per template (themes/default/
// templates/<name>.html reads them as .Data): a field the template reads
// and the struct lacks fails pages_test and New (which trial-renders
// pageSamples, so an operator's template does too), and a misspelt field
// set here fails to compile. The shared partials read Error, Notice and Hidden only
// when a struct has them. Message keys are looked up by the template.

// consentData is consent.html's.
type consentData struct {
	Action     string // where the decision is posted
	ClientName string
	Account    string // who is signed in, in words
	NotYouURL  string // "Not you?": the request again, with prompt=login
	Scopes     []consentScope
	Granted    []consentScope // requested and already granted; none: the list is not shown
	Hidden     map[string]string
	Notice     string // message key, e.g. consent.unverified
}

// logoutData is logout.html's: the confirmation of an RP-initiated logout.
type logoutData struct {
	Action    string
	Hidden    map[string]string
	Host      string // where confirming leads, when the page must say so
	CancelURL string // a cancel link when set; authz sets none
}

// leaveData is leave.html's: the interstitial naming where a link leads.
type leaveData struct {
	Title   string // message key; empty: leave.title
	Message string // message key
	Host    string // the destination in words
	LinkURL template.URL
}

// accessDeniedData is access_denied.html's. The way back to the client is
// a link (LinkURL) or, for response_mode=form_post, a form (Action and
// Hidden).
type accessDeniedData struct {
	Account string
	Reason  string // message key (account, application); empty: access_denied.message
	Advice  string // message key; empty: access_denied.help
	LinkURL string
	Action  string
	Hidden  map[string]string
}

// organizationData is organization.html's: the organization picker of an
// organizational client's sign-in.
type organizationData struct {
	Action        string // where the choice is posted
	Account       string // who is signed in, in words
	Organizations []organizationOption
	Hidden        map[string]string
	Error         string // message key, shown at the list
}

// organizationOption is one organization on the picker.
type organizationOption struct {
	ID, Name string
	Checked  bool
}

// formPostData is form_post.html's: an authorization response posted to
// the client.
type formPostData struct {
	Action string
	Hidden map[string]string
}

// errorData is error.html's.
type errorData struct {
	Title     string // message key; empty: error.title
	Message   string // message key; empty: error.generic
	RequestID string // shown for reference when set
	LinkURL   string // a link back when set
	LinkText  string // its message key; empty: common.back
}

// messageData is message.html's.
type messageData struct {
	Title    string // message key; empty: message.title
	Message  string // message key
	LinkURL  string // a link on when set
	LinkText string // its message key; empty: common.continue
}

// pageSamples are data for each of authz's templates, tried when
// New starts (themes.Renderer.TrialRender), so a template
// (the default or an operator's) reading a field its struct lacks fails
// start-up, not a request. A template is only checked along the branches
// the samples take, hence one sample per branch.
func pageSamples() map[string][]any {
	hidden := map[string]string{"h": "v"}
	scopes := []consentScope{{Key: "k"}, {Name: "n"}}
	return map[string][]any{
		"consent": {
			consentData{Action: "/", ClientName: "c", Account: "a", NotYouURL: "/n", Scopes: scopes, Granted: scopes, Hidden: hidden, Notice: "n"},
		},
		"logout": {logoutData{Action: "/", Hidden: hidden, Host: "h", CancelURL: "/"}},
		"leave":  {leaveData{Title: "t", Message: "m", Host: "h", LinkURL: "/"}},
		"access_denied": {
			accessDeniedData{Account: "a", LinkURL: "/"},
			accessDeniedData{Account: "a", Action: "/", Hidden: hidden},
			accessDeniedData{Account: "a", Reason: "m", Advice: "h", LinkURL: "/"},
		},
		"organization": {
			organizationData{Action: "/", Account: "a", Organizations: []organizationOption{{ID: "o", Name: "n", Checked: true}}, Hidden: hidden, Error: "e"},
		},
		"form_post": {formPostData{Action: "/", Hidden: hidden}},
		"error":     {errorData{Title: "t", Message: "m", RequestID: "r", LinkURL: "/", LinkText: "l"}},
		"message":   {messageData{Title: "t", Message: "m", LinkURL: "/", LinkText: "l"}},
	}
}

// trialRender renders every sample of pageSamples (in the default
// language: which fields a template reads does not depend on it).
func trialRender(r *themes.Renderer) error {
	for page, samples := range pageSamples() {
		for _, data := range samples {
			if err := r.TrialRender(page, data); err != nil {
				return fmt.Errorf("authz: %w", err)
			}
		}
	}
	return nil
}
