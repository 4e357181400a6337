package selfservice

import "foyer/storage"

// checkPassword returns the message key of the first rule the chosen
// password breaks, or "".
func (h *Handler) checkPassword(p storage.PasswordPolicy, pw, confirm string) string {
	if problem := h.rules.Check(p, pw, confirm); problem != "" {
		return "register.password_" + problem
	}
	return ""
}
