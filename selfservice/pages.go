package selfservice

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"foyer/selfservice/route"
	"foyer/storage"
	"foyer/themes"
)

// renderStep renders a step's view inside the flow: the form posts back to
// /login with the interaction and its signature.
func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, f *Flow, v View) {
	if p, ok := v.Data.(formPage); ok {
		form := p.form()
		// Pages other than sign-in (registration) name their own form target.
		if form.Action == "" {
			form.Action = h.path(route.Login, nil)
			form.Hidden = map[string]string{
				"interaction": f.Interaction.ID,
				"sig":         h.signer.Sign(f.Interaction.ID, "login"),
			}
		}
		fillForm(form, v)
	}
	if login, ok := v.Data.(*loginData); ok {
		if f.State.Pending != "" {
			login.ResendAction, login.ResendHidden = h.path(resendActivationRoute, nil), h.resendData(f)
		}
		h.externalLoginData(r, f, login)
	}
	// The sign-in form's post ends in a redirect to the client, and a
	// provider button's in one to the provider; browsers apply form-action
	// to every hop, so their origins must be listed.
	targets := append([]string{redirectTarget(f)}, externalTargets(v.Data)...)
	w.Header().Set("Content-Security-Policy", themes.CSPWithFormTargets(targets...))
	if v.RetryAfter > 0 {
		w.Header().Set("Retry-After", retryAfter(v.RetryAfter))
	}
	err := h.render.Render(w, r, themes.Page{
		Template: v.Template,
		Lang:     f.Lang,
		Branding: branding(f.App),
		Data:     v.Data,
		Status:   v.Status,
		Return:   h.pickerReturn(r, f, v.Data),
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render", "template", v.Template, "err", err)
	}
}

// pickerReturn is the language picker's way back from a page answering a
// form post (themes.Page.Return), whose own URL lacks what the page's GET
// carried: the form's page by GET with its hidden fields (the interaction
// and its signature, or the link's sealed or secret token, which that
// GET reads), where that page answers GET; else, inside a flow, the
// flow's sign-in page. "" (the request's URL) for a GET.
func (h *Handler) pickerReturn(r *http.Request, f *Flow, data any) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return ""
	}
	if p, ok := data.(formPage); ok {
		if form := p.form(); h.answersGet(form.Action) {
			q := url.Values{}
			for k, v := range form.Hidden {
				q.Set(k, v)
			}
			return form.Action + "?" + q.Encode()
		}
	}
	if f != nil {
		return h.loginURL(f.Interaction.ID, nil)
	}
	return ""
}

// answersGet reports whether a form's action is a page that a GET with
// the form's hidden fields shows again.
func (h *Handler) answersGet(action string) bool {
	for _, name := range []string{route.Login, registerRoute, orgRegisterRoute, recoverRoute, reminderRoute,
		activateRoute, magicLinkRoute, resetRoute} {
		if action != "" && action == h.path(name, nil) {
			return true
		}
	}
	return false
}

// fillForm copies the View's page-level and field messages into the form.
func fillForm(form *pageForm, v View) {
	if v.Error != "" {
		form.Error = v.Error
	}
	if v.Notice != "" {
		form.Notice = v.Notice
	}
	if len(v.FieldErrors) > 0 {
		form.FieldErrors = v.FieldErrors
	}
}

// redirectTarget is where the flow will send the browser in the end: the
// request's redirect_uri, or the client's only one when it was left out.
func redirectTarget(f *Flow) string {
	if uri := f.Params.Get("redirect_uri"); uri != "" {
		return uri
	}
	if len(f.Client.RedirectURIs) == 1 {
		return f.Client.RedirectURIs[0]
	}
	return ""
}

// renderMessage shows a page outside any flow with a title, a message and
// the next step (link, a message key for its text), in app's branding.
func (h *Handler) renderMessage(w http.ResponseWriter, r *http.Request, lang string, app *storage.Application, data *messageData) {
	err := h.render.Render(w, r, themes.Page{Template: "message", Lang: lang, Branding: branding(app), Data: data})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render message", "err", err)
	}
}

// errorPage renders the themed error page. A request that met a storage
// failure gets 503 and Retry-After whatever went wrong after it: the
// visitor's link or sign-in request may be fine, the database was just
// unreachable, and a 500 or "expired" would send them away for good.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, messageKey string) {
	if storage.Failure(r.Context()) != nil {
		status, messageKey = http.StatusServiceUnavailable, "error.temporarily_unavailable"
		w.Header().Set("Retry-After", storageRetryAfter)
	}
	lang := h.render.NegotiateRequest(r, "", "")
	err := h.render.Render(w, r, themes.Page{
		Template: "error",
		Lang:     lang,
		Status:   status,
		Branding: h.requestBranding(r),
		Data:     &errorData{Message: messageKey, LinkURL: h.nextStep(messageKey), LinkText: "account.sign_in_again"},
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render error page", "err", err)
	}
}

// nextStep is where an error page about a link or a sign-in request that
// can no longer be used sends the customer: to sign in afresh through the
// account portal, since the application it came from is not known any
// more. Other errors (a bad request, a disabled page) get no link.
func (h *Handler) nextStep(messageKey string) string {
	switch messageKey {
	case "error.interaction_expired", "error.other_browser", "activation.invalid_link",
		"mfa.link_invalid", "mfa.link_other_browser", "external.attempt_used":
		if h.cfg.PortalClientID != "" {
			return h.cfg.Issuer + h.routes.Path(route.AccountHome, nil)
		}
	}
	return ""
}

// storageRetryAfter is how long a browser is asked to wait after a 503
// during a storage failure (as authz asks).
const storageRetryAfter = "5"

// retryAfter is a Retry-After value: whole seconds, rounded up.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}
