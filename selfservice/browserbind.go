package selfservice

import (
	"net/http"

	"foyer/selfservice/session"
)

// flowCookie binds a sign-in request to the browser that started it, so a
// link from a message (activation, password reset) resumes the request only
// in that browser. Opened anywhere else the link still does its job — it
// activates the account or resets the password — but ends at the brand
// portal or a plain page: an activation link an attacker mails a victim
// must not sign the victim's browser in to the attacker's account (login
// CSRF), and a request started on one device must not hand its code to
// another.
// Its name and attributes come from session.Cookies ("__Host-foyer_flow"
// on https).
const flowCookie = "foyer_flow"

// browserSig is the signature purpose of flowCookie's value; no link
// carries a signature for it.
const browserSig = "browser"

// bindBrowser marks this browser as the one that started f. One cookie
// holds the latest request: of two started side by side, only the later
// resumes from a link (the earlier one falls back to the portal).
func (h *Handler) bindBrowser(w http.ResponseWriter, f *Flow) {
	c := session.CookiesFor(h.cfg.Issuer).New(flowCookie, h.signer.Sign(f.Interaction.ID, browserSig))
	c.Expires = f.Interaction.ExpiresAt
	http.SetCookie(w, c)
}

// startedHere reports whether this browser started the request id.
func (h *Handler) startedHere(r *http.Request, id string) bool {
	v := session.CookiesFor(h.cfg.Issuer).Value(r, flowCookie)
	return v != "" && h.signer.Verify(id, browserSig, v)
}
