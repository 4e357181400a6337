package selfservice

import (
	"net/http"
	"strings"
)

// flowCookie binds a sign-in request to the browser that started it, so a
// link from a message (activation, password reset) resumes the request only
// in that browser. Opened anywhere else the link still does its job — it
// activates the account or resets the password — but ends at the brand
// portal or a plain page: an activation link an attacker mails a victim
// must not sign the victim's browser in to the attacker's account (login
// CSRF), and a request started on one device must not hand its code to
// another.
const flowCookie = "foyer_flow"

// browserSig is the signature purpose of flowCookie's value; no link
// carries a signature for it.
const browserSig = "browser"

// bindBrowser marks this browser as the one that started f. One cookie
// holds the latest request: of two started side by side, only the later
// resumes from a link (the earlier one falls back to the portal).
func (h *Handler) bindBrowser(w http.ResponseWriter, f *Flow) {
	http.SetCookie(w, &http.Cookie{
		Name:     flowCookie,
		Value:    h.signer.SealUntil(browserSig, f.Interaction.ID, f.Interaction.ExpiresAt),
		Path:     "/",
		Expires:  f.Interaction.ExpiresAt,
		HttpOnly: true,
		Secure:   strings.HasPrefix(h.cfg.Issuer, "https://"),
		SameSite: http.SameSiteLaxMode,
	})
}

// startedHere reports whether this browser started the request id.
func (h *Handler) startedHere(r *http.Request, id string) bool {
	c, err := r.Cookie(flowCookie)
	if err != nil {
		return false
	}
	// The expiry is signed with the id: Expires alone is the browser's to keep.
	got, ok := h.signer.OpenAt(browserSig, c.Value, h.cfg.Now())
	return ok && got == id
}
