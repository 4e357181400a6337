package selfservice

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"foyer/selfservice/mfa"
	"foyer/storage"
)

// enrollState is an enrollment in progress.
type enrollState struct {
	Method  string `json:"method"`
	Sealed  []byte `json:"sealed,omitempty"`  // the pending TOTP secret, sealed
	Address string `json:"address,omitempty"` // the e-mail or phone being confirmed
	CodeID  string `json:"code_id,omitempty"`
	Salt    string `json:"salt,omitempty"`
	Options []byte `json:"options,omitempty"` // passkey creation options
	State   []byte `json:"state,omitempty"`   // passkey ceremony state
}

// Enrollment methods: what the customer can add at sign-in.
const (
	enrollTOTP    = storage.AuthenticatorTOTP
	enrollEmail   = storage.AuthenticatorEmail
	enrollPhone   = storage.AuthenticatorPhone
	enrollPasskey = storage.AuthenticatorPasskey
	purposeEnroll = "mfa_enroll_code"
)

// enrollMethods lists the authenticator kinds the policy lets the account
// enroll.
func (h *Handler) enrollMethods(acct *storage.Account, pol storage.MFAPolicy) []string {
	var out []string
	if pol.Allows(storage.MethodPasskey) {
		out = append(out, enrollPasskey)
	}
	if pol.Allows(storage.MethodTOTP) {
		out = append(out, enrollTOTP)
	}
	if acct.Email != "" && (pol.Allows(storage.MethodEmailCode) || pol.Allows(storage.MethodEmailLink)) {
		out = append(out, enrollEmail)
	}
	if pol.Allows(storage.MethodSMSCode) || pol.Allows(storage.MethodVoiceCode) || pol.Allows(storage.MethodSMSLink) {
		out = append(out, enrollPhone)
	}
	return out
}

// enrollStep enrolls a second factor during sign-in: required by the
// policy (or the client's acr_values), or offered when optional. Its
// action instance runs the account portal's requests (enroll one kind,
// new recovery codes, remove a factor) after a fresh sign-in.
type enrollStep struct {
	h      *Handler
	action bool
}

func (s enrollStep) Name() string {
	if s.action {
		return stepAction
	}
	return stepEnroll
}

func (enrollStep) Show(*Flow) View { return View{Template: "mfa"} }

func (s enrollStep) required(f *Flow) bool {
	return s.action || f.App.MFA.WithDefaults().Mode == storage.MFARequired || wantsMFA(f.Params)
}

// methods are the kinds the step offers: the policy's, or the one the
// portal asked to enroll.
func (s enrollStep) methods(f *Flow, acct *storage.Account) []string {
	all := s.h.enrollMethods(acct, f.App.MFA.WithDefaults())
	if !s.action {
		return all
	}
	verb, kind := s.h.accountAction(f)
	if verb == actionEnroll && slices.Contains(all, kind) {
		return []string{kind}
	}
	return nil
}

// Page renders the enrollment chooser or the picked method's form.
func (s enrollStep) Page(r *http.Request, f *Flow) (View, error) {
	acct, err := s.h.store.GetAccount(r.Context(), f.State.AccountID)
	if err != nil {
		return View{}, fmt.Errorf("selfservice: load account: %w", err)
	}
	data := map[string]any{"Step": stepEnroll, "Required": s.required(f)}
	if s.action {
		if v, ok, err := s.h.actionPage(r, f, acct); ok || err != nil {
			return v, err
		}
	}
	e := f.State.MFA.Enroll
	if e == nil {
		data["EnrollMethods"] = s.methods(f, acct)
		return View{Template: "mfa", Data: data}, nil
	}
	data["Enroll"] = e.Method
	switch e.Method {
	case enrollTOTP:
		key, err := s.h.pendingTOTP(acct.ID, e)
		if err != nil {
			return View{}, err
		}
		png, err := mfa.TOTPQRCode(key.URL)
		if err != nil {
			return View{}, fmt.Errorf("selfservice: QR code: %w", err)
		}
		// A data: URL of a PNG rendered here, not user input: safe to trust.
		data["QRCode"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) //nolint:gosec // G203: server-made image
		data["Secret"] = key.Secret
	case enrollEmail, enrollPhone:
		pol := f.App.MFA.WithDefaults()
		data["Address"], data["CodeSent"] = e.Address, e.CodeID != ""
		data["AllowSMS"] = pol.Allows(storage.MethodSMSCode) || pol.Allows(storage.MethodSMSLink)
		data["AllowVoice"] = pol.Allows(storage.MethodVoiceCode)
	case enrollPasskey:
		data["Options"] = string(e.Options)
	}
	return View{Template: "mfa", Data: data}, nil
}

func (s enrollStep) again(r *http.Request, f *Flow, v View) (View, bool, error) {
	page, err := s.Page(r, f)
	if err != nil {
		return View{}, false, err
	}
	page.Error, page.FieldErrors, page.Status = v.Error, v.FieldErrors, v.Status
	for k, val := range v.Data {
		page.Data[k] = val
	}
	return page, false, nil
}

// Submit handles skip, the chooser, and each method's confirmation.
func (s enrollStep) Submit(r *http.Request, f *Flow) (View, bool, error) {
	ctx := r.Context()
	acct, err := s.h.store.GetAccount(ctx, f.State.AccountID)
	if err != nil {
		return View{}, false, fmt.Errorf("selfservice: load account: %w", err)
	}
	switch {
	case r.PostFormValue("continue") != "" && f.State.MFA.CodesShown:
		f.State.MFA.CodesShown = false
		return View{}, true, nil // after the recovery codes were shown
	case s.action && r.PostFormValue("confirm") != "" && f.State.MFA.Enroll == nil:
		return s.h.runAction(r, f, acct)
	case r.PostFormValue("skip") != "":
		if s.required(f) {
			return s.again(r, f, View{Error: "mfa.enroll_required", Status: http.StatusBadRequest})
		}
		f.State.MFA.Offered, f.State.MFA.Enroll = true, nil
		return View{}, true, nil
	case r.PostFormValue("other") != "":
		f.State.MFA.Enroll = nil
		return s.again(r, f, View{})
	case r.PostFormValue("enroll") != "":
		return s.start(r, f, acct, r.PostFormValue("enroll"))
	case f.State.MFA.Enroll == nil:
		return s.again(r, f, View{Error: "mfa.choose_method", Status: http.StatusBadRequest})
	}
	a, fieldErr, err := s.h.confirmEnrollment(r, f, acct)
	if errors.Is(err, errEnrollPending) {
		return s.again(r, f, View{Data: map[string]any{"Notice": "mfa.sent"}})
	}
	if errors.Is(err, errEnrollLocked) {
		return s.again(r, f, View{Error: "mfa.locked", Status: http.StatusTooManyRequests})
	}
	if err != nil {
		return View{}, false, err
	}
	if a == nil {
		s.h.eventData(r, acct.ID, "mfa.enroll_failed", map[string]string{"method": f.State.MFA.Enroll.Method})
		return s.again(r, f, View{FieldErrors: map[string]string{fieldErr: "mfa." + fieldErr + "_wrong"}, Status: http.StatusBadRequest})
	}
	if err := s.h.mfaSucceeded(ctx, acct.ID, "enroll"); err != nil {
		return View{}, false, err
	}
	return s.h.enrolled(r, f, acct, a)
}

// start begins enrolling the picked kind.
func (s enrollStep) start(r *http.Request, f *Flow, acct *storage.Account, kind string) (View, bool, error) {
	if !slices.Contains(s.methods(f, acct), kind) {
		return s.again(r, f, View{Error: "mfa.choose_method", Status: http.StatusBadRequest})
	}
	e := &enrollState{Method: kind}
	f.State.MFA.Enroll = e
	switch kind {
	case enrollTOTP:
		key, err := mfa.GenerateTOTP(branding(f.App).AppName, accountName(acct))
		if err != nil {
			return View{}, false, fmt.Errorf("selfservice: new TOTP key: %w", err)
		}
		raw, err := json.Marshal(key) //nolint:gosec // G117: sealed on the next line, never stored in the clear
		if err != nil {
			return View{}, false, fmt.Errorf("selfservice: encode TOTP key: %w", err)
		}
		if e.Sealed, err = s.h.sealer.Seal(acct.ID, sealTOTPPending, raw); err != nil {
			return View{}, false, fmt.Errorf("selfservice: seal TOTP key: %w", err)
		}
	case enrollEmail:
		e.Address = acct.Email
		if err := s.h.sendEnrollCode(r, f, acct, "email"); err != nil {
			return View{}, false, err
		}
	case enrollPhone:
		e.Address = acct.Phone
	case enrollPasskey:
		u, _, err := s.h.webauthnUser(r.Context(), acct)
		if err != nil {
			return View{}, false, err
		}
		if e.Options, e.State, err = s.h.webauthn.BeginRegistration(u); err != nil {
			return View{}, false, fmt.Errorf("selfservice: begin passkey enrollment: %w", err)
		}
	}
	return s.again(r, f, View{})
}

// sendEnrollCode sends a code that confirms the address being enrolled,
// throttled like every other code.
func (h *Handler) sendEnrollCode(r *http.Request, f *Flow, acct *storage.Account, channel string) error {
	e := f.State.MFA.Enroll
	pol, err := h.policy(r.Context(), f.App)
	if err != nil {
		return err
	}
	if held, err := h.throttled(r.Context(), pol, acct.ID, purposeEnroll, channel); err != nil || held {
		return err
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	if e.Salt, err = newSalt(); err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	sec := &storage.OneTimeSecret{Purpose: purposeEnroll, Hash: codeHash(e.Salt, code), AccountID: acct.ID,
		Data: f.Interaction.ID, CreatedAt: now, ExpiresAt: now.Add(pol.OneTimeCodeLifetime)}
	if err := h.store.CreateOneTimeSecret(r.Context(), sec); err != nil {
		return fmt.Errorf("selfservice: store enrollment code: %w", err)
	}
	e.CodeID = sec.ID
	method := map[string]string{"email": storage.MethodEmailCode, "sms": storage.MethodSMSCode, "voice": storage.MethodVoiceCode}[channel]
	return h.deliverSignInSecret(r.Context(), messageFor(f), acct.ID, e.Address, method, code, "", int(pol.OneTimeCodeLifetime.Minutes()))
}

// confirmEnrollment checks the answer for the enrollment in progress and
// stores the new authenticator; nil and the field to blame when wrong.
func (h *Handler) confirmEnrollment(r *http.Request, f *Flow, acct *storage.Account) (*storage.Authenticator, string, error) {
	ctx := r.Context()
	e := f.State.MFA.Enroll
	now := h.cfg.Now().UTC()
	if e.Method == enrollPhone && e.CodeID == "" {
		return h.startPhoneEnrollment(r, f, acct)
	}
	// Only answers count towards the lockout (not the number typed).
	if locked, err := h.mfaTry(ctx, acct.ID, "enroll"); err != nil || locked {
		if err == nil {
			err = errEnrollLocked
		}
		return nil, "", err
	}
	switch e.Method {
	case enrollTOTP:
		key, err := h.pendingTOTP(acct.ID, e)
		if err != nil {
			return nil, "", err
		}
		step, err := mfa.VerifyTOTP(key.Secret, strings.TrimSpace(r.PostFormValue("code")), now, 0)
		if err != nil {
			return nil, "code", nil //nolint:nilerr // a wrong code is an answer, not a failure
		}
		sealed, err := h.sealer.Seal(acct.ID, sealTOTP, []byte(key.Secret))
		if err != nil {
			return nil, "", fmt.Errorf("selfservice: seal TOTP secret: %w", err)
		}
		a := &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorTOTP, Name: "Authenticator app",
			Secret: sealed, Counter: step}
		return a, "", h.store.CreateAuthenticator(ctx, a)
	case enrollPhone:
		return h.confirmContact(r, f, acct, storage.IdentifierPhone)
	case enrollEmail:
		return h.confirmContact(r, f, acct, storage.IdentifierEmail)
	case enrollPasskey:
		return h.finishPasskeyEnrollment(r, acct, e)
	}
	return nil, "code", nil
}

// startPhoneEnrollment takes the number and sends it a code.
func (h *Handler) startPhoneEnrollment(r *http.Request, f *Flow, acct *storage.Account) (*storage.Authenticator, string, error) {
	phone := strings.TrimSpace(r.PostFormValue("phone"))
	if !e164.MatchString(phone) {
		return nil, "phone", nil
	}
	pol := f.App.MFA.WithDefaults()
	channel := "sms"
	if r.PostFormValue("channel") == "voice" {
		channel = "voice"
	}
	allowed := map[string]bool{
		"sms":   pol.Allows(storage.MethodSMSCode) || pol.Allows(storage.MethodSMSLink),
		"voice": pol.Allows(storage.MethodVoiceCode),
	}
	if !allowed[channel] {
		return nil, "channel", nil
	}
	f.State.MFA.Enroll.Address = phone
	if err := h.sendEnrollCode(r, f, acct, channel); err != nil {
		return nil, "", err
	}
	return nil, "", errEnrollPending
}

// errEnrollPending is not a failure: the code was sent, the page asks for
// it. errEnrollLocked: too many wrong enrollment codes lately.
var (
	errEnrollPending = errors.New("selfservice: enrollment code sent")
	errEnrollLocked  = errors.New("selfservice: enrollment locked")
)

// confirmContact checks the code sent to the address being enrolled, then
// stores the authenticator and marks the contact confirmed.
func (h *Handler) confirmContact(r *http.Request, f *Flow, acct *storage.Account, kind storage.IdentifierType) (*storage.Authenticator, string, error) {
	ctx := r.Context()
	e := f.State.MFA.Enroll
	now := h.cfg.Now().UTC()
	sec, err := h.store.LatestOneTimeSecret(ctx, acct.ID, purposeEnroll)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "code", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: latest enrollment code: %w", err)
	}
	if sec.ID != e.CodeID || sec.UsedAt != nil || !now.Before(sec.ExpiresAt) ||
		!sameHash(codeHash(e.Salt, r.PostFormValue("code")), sec.Hash) {
		return nil, "code", nil
	}
	if _, err := h.store.UseOneTimeSecret(ctx, purposeEnroll, sec.Hash, now); err != nil {
		return nil, "code", nil //nolint:nilerr // a parallel request spent it
	}
	// The account's own address (or a first phone number) becomes
	// confirmed; another number only serves as this factor: enrolling must
	// not quietly move the account's phone, a sign-in and recovery channel.
	if err := h.store.ConfirmContact(ctx, acct.ID, kind, e.Address); errors.Is(err, storage.ErrConflict) {
		return nil, "phone", nil
	} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, "", fmt.Errorf("selfservice: confirm contact: %w", err)
	}
	authKind := storage.AuthenticatorEmail
	if kind == storage.IdentifierPhone {
		authKind = storage.AuthenticatorPhone
	}
	a := &storage.Authenticator{AccountID: acct.ID, Kind: authKind, Address: e.Address}
	return a, "", h.store.CreateAuthenticator(ctx, a)
}

// finishPasskeyEnrollment stores the new passkey, sealed.
func (h *Handler) finishPasskeyEnrollment(r *http.Request, acct *storage.Account, e *enrollState) (*storage.Authenticator, string, error) {
	u, _, err := h.webauthnUser(r.Context(), acct)
	if err != nil {
		return nil, "", err
	}
	cred, err := h.webauthn.FinishRegistration(u, e.State, []byte(r.PostFormValue("credential")))
	if errors.Is(err, mfa.ErrCeremony) {
		return nil, "credential", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: passkey enrollment: %w", err)
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: encode passkey: %w", err)
	}
	sealed, err := h.sealer.Seal(acct.ID, sealPasskey, raw)
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: seal passkey: %w", err)
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 64 {
		name = "Passkey"
	}
	a := &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorPasskey, Name: name, Secret: sealed,
		CredentialID: cred.ID, Counter: int64(cred.Authenticator.SignCount)}
	if err := h.store.CreateAuthenticator(r.Context(), a); errors.Is(err, storage.ErrConflict) {
		return nil, "credential", nil
	} else if err != nil {
		return nil, "", fmt.Errorf("selfservice: store passkey: %w", err)
	}
	return a, "", nil
}

// enrolled finishes an enrollment: the new factor counts as this
// sign-in's second factor, and an account without recovery codes gets
// ten, shown once on this response.
func (h *Handler) enrolled(r *http.Request, f *Flow, acct *storage.Account, a *storage.Authenticator) (View, bool, error) {
	h.eventData(r, acct.ID, "mfa.enrolled", map[string]string{"kind": a.Kind})
	if err := h.tellFactorChange(r.Context(), f, acct, true); err != nil {
		return View{}, false, err
	}
	method := methodsOf(a.Kind)[0]
	proof := proofOf(*a)
	if a.Kind == storage.AuthenticatorPasskey {
		amr, err := h.passkeyAMR(acct.ID, a)
		if err != nil {
			return View{}, false, err
		}
		proof = amr + ":" + proof
	}
	h.proved(f, method, proof)
	f.State.MFA.Enroll = nil
	if f.State.Steps[f.State.Current] == stepAction {
		f.State.MFA.ActionDone = true
	}
	codes, err := h.newRecoveryCodesIfNone(r.Context(), acct.ID)
	if err != nil {
		return View{}, false, err
	}
	if len(codes) == 0 {
		return View{}, true, nil
	}
	h.event(r, acct.ID, "mfa.recovery_codes_created")
	return h.showRecoveryCodes(f, codes), false, nil
}

// showRecoveryCodes is the page that shows new recovery codes, once.
func (h *Handler) showRecoveryCodes(f *Flow, codes []string) View {
	f.State.MFA.CodesShown = true
	return View{Template: "mfa", Data: map[string]any{"Step": stepEnroll, "RecoveryCodes": codes}}
}

// newRecoveryCodesIfNone creates ten recovery codes unless the account has
// live ones.
func (h *Handler) newRecoveryCodesIfNone(ctx context.Context, accountID string) ([]string, error) {
	n, err := h.store.CountUsableOneTimeSecrets(ctx, accountID, purposeRecoveryCode, h.cfg.Now().UTC())
	if err != nil || n > 0 {
		return nil, err
	}
	return h.replaceRecoveryCodes(ctx, accountID)
}

// replaceRecoveryCodes discards the account's recovery codes and stores
// ten new ones (hashed); the plain codes are returned to show once.
func (h *Handler) replaceRecoveryCodes(ctx context.Context, accountID string) ([]string, error) {
	codes, err := mfa.NewRecoveryCodes()
	if err != nil {
		return nil, fmt.Errorf("selfservice: new recovery codes: %w", err)
	}
	if _, err := h.store.DeleteOneTimeSecrets(ctx, accountID, purposeRecoveryCode); err != nil {
		return nil, fmt.Errorf("selfservice: drop recovery codes: %w", err)
	}
	now := h.cfg.Now().UTC()
	for _, c := range codes {
		err := h.store.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: purposeRecoveryCode,
			Hash: mfa.RecoveryCodeHash(accountID, c), AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(recoveryCodeLifetime)})
		if err != nil {
			return nil, fmt.Errorf("selfservice: store recovery code: %w", err)
		}
	}
	return codes, nil
}

// recoveryCodeLifetime: recovery codes last until used or replaced; the
// one-time secret table needs an expiry, so it is ten years away.
const recoveryCodeLifetime = 10 * 365 * 24 * time.Hour

// pendingTOTP opens the key being enrolled.
func (h *Handler) pendingTOTP(accountID string, e *enrollState) (mfa.TOTPKey, error) {
	var key mfa.TOTPKey
	raw, err := h.sealer.Open(accountID, sealTOTPPending, e.Sealed)
	if err != nil {
		return key, fmt.Errorf("selfservice: open pending TOTP key: %w", err)
	}
	if err := json.Unmarshal(raw, &key); err != nil {
		return key, fmt.Errorf("selfservice: decode pending TOTP key: %w", err)
	}
	return key, nil
}

// passkeyAMR is "hwk" or "swk" for a stored passkey (mfa.AMR).
func (h *Handler) passkeyAMR(accountID string, a *storage.Authenticator) (string, error) {
	plain, err := h.sealer.Open(accountID, sealPasskey, a.Secret)
	if err != nil {
		return "", fmt.Errorf("selfservice: open passkey: %w", err)
	}
	var c webauthn.Credential
	if err := json.Unmarshal(plain, &c); err != nil {
		return "", fmt.Errorf("selfservice: decode passkey: %w", err)
	}
	return mfa.AMR(&c), nil
}
