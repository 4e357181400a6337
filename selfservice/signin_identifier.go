package selfservice

import (
	"net/http"
	"strings"

	"foyer/storage"
)

// identifierStep asks who is signing in. It always continues to the next
// step, whether or not the identifier names an account. Where the policy
// allows passkeys it also offers a username-less passkey sign-in (a button
// and browser autofill), which proves the account at once.
type identifierStep struct {
	passkeys *passkeys
	queue    deferFunc
	event    eventFunc
}

func (identifierStep) Name() string { return "identifier" }

func (identifierStep) Show(f *Flow) View {
	id := f.State.Identifier
	if id == "" && invitationHint(f) == "" { // an invitation's hint is no identifier
		id = f.Params.Get("login_hint")
	}
	data := &loginData{Step: "identifier", Identifier: id, ForgotPasswordURL: forgotPasswordURL(f)}
	if f.App.SelfService.WithDefaults().RegistrationEnabled {
		data.RegisterURL = f.RegisterURL
	}
	v := View{Template: "login", Data: data}
	if inv := f.State.Invitation; inv != nil && inv.ID != "" && !inv.Accepted {
		v.Notice = "invitation.sign_in_notice"
	}
	return v
}

// Page adds a fresh passkey challenge when the policy allows passkeys.
func (s identifierStep) Page(_ *http.Request, f *Flow) (View, error) {
	v := s.Show(f)
	if pol := f.App.MFA.WithDefaults(); pol.Allows(storage.MethodPasskey) && (pol.Mode != storage.MFAOff || pol.Passwordless) {
		if err := s.passkeys.beginDiscoverable(f); err != nil {
			return View{}, err
		}
		v.Data.(*loginData).PasskeyOptions = string(f.State.MFA.PasskeyOptions)
	}
	return v, nil
}

func (s identifierStep) Submit(r *http.Request, f *Flow) (View, bool, error) {
	if cred := r.PostFormValue("credential"); cred != "" {
		return s.passkey(r, f, []byte(cred))
	}
	id := strings.TrimSpace(r.PostFormValue("identifier"))
	if !typedOK(id) {
		v := s.Show(f)
		v.FieldErrors = map[string]string{"identifier": "login.identifier_required"}
		v.Status = http.StatusBadRequest
		return v, false, nil
	}
	f.State.Identifier = id
	f.State.AccountID = ""
	if f.App.MFA.Passwordless {
		if err := s.queue(r, f, deferredPasswordless, deferredPayload{Typed: id}); err != nil {
			return View{}, false, err
		}
	}
	return View{}, true, nil
}

// passkey signs in with a discoverable credential: the passkey names the
// account. With user verification it is two factors in one (something
// held, something known or been), so the MFA step is not asked for.
func (s identifierStep) passkey(r *http.Request, f *Flow, response []byte) (View, bool, error) {
	proof, acct, verified, err := s.passkeys.checkAssertion(r.Context(), f, nil, response)
	if err != nil {
		return View{}, false, err
	}
	if proof == "" || acct.Status != storage.AccountEnabled || acct.StoreID != f.App.StoreID {
		v, err := s.Page(r, f)
		if err != nil {
			return View{}, false, err
		}
		v.Error, v.Status = "login.passkey_failed", http.StatusBadRequest
		return v, false, nil
	}
	s.event(r, acct.ID, "login.passkey", nil)
	f.State.Identifier = accountName(acct)
	firstFactor(&f.State, acct.ID, proof[:3], proof[4:])
	if verified {
		f.State.AMR = appendUnique(f.State.AMR, amrMFA)
		f.State.MFA.Done = true
	}
	f.State.FirstFactorDone = true
	return View{}, true, nil
}

func appendUnique(list []string, v string) []string {
	for _, s := range list {
		if s == v {
			return list
		}
	}
	return append(list, v)
}
