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

	"foyer/selfservice/mfa"
	"foyer/selfservice/notify"
	"foyer/selfservice/session"
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
func enrollMethods(acct *storage.Account, pol storage.MFAPolicy) []string {
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
	action   bool
	isPortal func(*Flow) bool // only the portal's flows may carry an account action
	store    enrollStore
	sealer   *mfa.Sealer
	webauthn *mfa.WebAuthn
	now      func() time.Time
	lock     mfaLock
	event    eventFunc
	passkeys *passkeys
	// sendCode sends a code to the address being enrolled, throttled
	// (Handler.sendEnrollCode).
	sendCode func(r *http.Request, f *Flow, acct *storage.Account, channel string) error
	// notify and t tell the owner of a factor added or removed.
	notify *notify.Service
	t      func(lang, key string, args ...any) string
}

// enrollStore is what enrollment and the account actions read and write.
type enrollStore interface {
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	ListApplications(ctx context.Context) ([]storage.Application, error)
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
	CreateAuthenticator(ctx context.Context, a *storage.Authenticator) error
	DeleteAuthenticator(ctx context.Context, accountID, id string) error
	ConfirmContact(ctx context.Context, accountID string, kind storage.IdentifierType, value string) error
	UpdateAccountProfile(ctx context.Context, a *storage.Account) error
	CreateOneTimeSecret(ctx context.Context, s *storage.OneTimeSecret) error
	LatestOneTimeSecret(ctx context.Context, accountID, purpose string) (*storage.OneTimeSecret, error)
	UseOneTimeSecret(ctx context.Context, purpose string, hash []byte, now time.Time) (*storage.OneTimeSecret, error)
	CountUsableOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
	DeleteOneTimeSecrets(ctx context.Context, accountID, purpose string) (int64, error)
}

func (s enrollStep) Name() string {
	if s.action {
		return stepAction
	}
	return stepEnroll
}

func (enrollStep) Show(*Flow) View { return View{Template: "mfa"} }

func (s enrollStep) required(f *Flow) bool {
	return s.action || session.MFADemand{Mode: f.App.MFA.WithDefaults().Mode, ACRValues: f.Params["acr_values"]}.Required()
}

// methods are the kinds the step offers: the policy's, or the one the
// portal asked to enroll.
func (s enrollStep) methods(f *Flow, acct *storage.Account) []string {
	all := enrollMethods(acct, f.App.MFA.WithDefaults())
	if !s.action {
		return all
	}
	verb, kind := accountAction(s.isPortal(f), f)
	if verb == actionEnroll && slices.Contains(all, kind) {
		return []string{kind}
	}
	return nil
}

// Page renders the enrollment chooser or the picked method's form.
func (s enrollStep) Page(r *http.Request, f *Flow) (View, error) {
	acct, err := s.store.GetAccount(r.Context(), f.State.AccountID)
	if err != nil {
		return View{}, fmt.Errorf("selfservice: load account: %w", err)
	}
	data := &mfaData{Step: stepEnroll, Required: s.required(f)}
	if s.action {
		if v, ok, err := s.actionPage(r, f, acct); ok || err != nil {
			return v, err
		}
	}
	e := f.State.MFA.Enroll
	if e == nil {
		data.EnrollMethods = s.methods(f, acct)
		return View{Template: "mfa", Data: data}, nil
	}
	data.Enroll = e.Method
	switch e.Method {
	case enrollTOTP:
		key, err := s.pendingTOTP(acct.ID, e)
		if err != nil {
			return View{}, err
		}
		png, err := mfa.TOTPQRCode(key.URL)
		if err != nil {
			return View{}, fmt.Errorf("selfservice: QR code: %w", err)
		}
		// A data: URL of a PNG rendered here, not user input: safe to trust.
		data.QRCode = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) //nolint:gosec // G203: server-made image
		data.Secret, data.SecretGrouped = key.Secret, groupsOf4(key.Secret)
		// The key's otpauth:// URL, which html/template would refuse as an
		// unknown scheme; made here from the key, not from input.
		data.OTPAuthURL = template.URL(key.URL) //nolint:gosec // G203: server-made URL
	case enrollEmail, enrollPhone:
		pol := f.App.MFA.WithDefaults()
		data.Address, data.CodeSent = e.Address, e.CodeID != ""
		data.AllowSMS = pol.Allows(storage.MethodSMSCode) || pol.Allows(storage.MethodSMSLink)
		data.AllowVoice = pol.Allows(storage.MethodVoiceCode)
	case enrollPasskey:
		data.Options = string(e.Options)
	}
	return View{Template: "mfa", Data: data}, nil
}

func (s enrollStep) again(r *http.Request, f *Flow, v View) (View, bool, error) {
	page, err := s.Page(r, f)
	if err != nil {
		return View{}, false, err
	}
	page.Error, page.Notice, page.FieldErrors, page.Status = v.Error, v.Notice, v.FieldErrors, v.Status
	return page, false, nil
}

// Submit handles skip, the chooser, and each method's confirmation.
func (s enrollStep) Submit(r *http.Request, f *Flow) (View, bool, error) {
	ctx := r.Context()
	acct, err := s.store.GetAccount(ctx, f.State.AccountID)
	if err != nil {
		return View{}, false, fmt.Errorf("selfservice: load account: %w", err)
	}
	switch {
	case r.PostFormValue("continue") != "" && f.State.MFA.CodesShown:
		f.State.MFA.CodesShown = false
		return View{}, true, nil // after the recovery codes were shown
	case s.action && r.PostFormValue("confirm") != "" && f.State.MFA.Enroll == nil:
		return s.runAction(r, f, acct)
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
	a, fieldErr, err := s.confirmEnrollment(r, f, acct)
	if errors.Is(err, errEnrollPending) {
		return s.again(r, f, View{Notice: "mfa.sent"})
	}
	if errors.Is(err, errEnrollLocked) {
		var held lockedFor
		errors.As(err, &held)
		return s.again(r, f, View{Error: "mfa.locked", Status: http.StatusTooManyRequests, RetryAfter: held.retry})
	}
	if err != nil {
		return View{}, false, err
	}
	if a == nil {
		s.event(r, acct.ID, "mfa.enroll_failed", map[string]string{"method": f.State.MFA.Enroll.Method})
		return s.again(r, f, View{FieldErrors: map[string]string{fieldErr: "mfa." + fieldErr + "_wrong"}, Status: http.StatusBadRequest})
	}
	if err := s.lock.succeeded(ctx, acct.ID, "enroll"); err != nil {
		return View{}, false, err
	}
	return s.enrolled(r, f, acct, a)
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
		if e.Sealed, err = s.sealer.Seal(acct.ID, sealTOTPPending, raw); err != nil {
			return View{}, false, fmt.Errorf("selfservice: seal TOTP key: %w", err)
		}
	case enrollEmail:
		e.Address = acct.Email
		if err := s.sendCode(r, f, acct, "email"); err != nil {
			return View{}, false, err
		}
	case enrollPhone:
		e.Address = acct.Phone
	case enrollPasskey:
		u, _, err := s.passkeys.user(r.Context(), acct)
		if err != nil {
			return View{}, false, err
		}
		if e.Options, e.State, err = s.webauthn.BeginRegistration(u); err != nil {
			return View{}, false, fmt.Errorf("selfservice: begin passkey enrollment: %w", err)
		}
	}
	return s.again(r, f, View{})
}

// confirmEnrollment checks the answer for the enrollment in progress and
// stores the new authenticator; nil and the field to blame when wrong.
func (s enrollStep) confirmEnrollment(r *http.Request, f *Flow, acct *storage.Account) (*storage.Authenticator, string, error) {
	ctx := r.Context()
	e := f.State.MFA.Enroll
	now := s.now().UTC()
	if e.Method == enrollPhone && e.CodeID == "" {
		return s.startPhoneEnrollment(r, f, acct)
	}
	// Only answers count towards the lockout (not the number typed).
	if locked, retry, err := s.lock.try(ctx, acct.ID, "enroll"); err != nil || locked {
		if err == nil {
			err = lockedFor{errEnrollLocked, retry}
		}
		return nil, "", err
	}
	switch e.Method {
	case enrollTOTP:
		key, err := s.pendingTOTP(acct.ID, e)
		if err != nil {
			return nil, "", err
		}
		step, err := mfa.VerifyTOTP(key.Secret, strings.TrimSpace(r.PostFormValue("code")), now, 0)
		if err != nil {
			return nil, "code", nil //nolint:nilerr // a wrong code is an answer, not a failure
		}
		sealed, err := s.sealer.Seal(acct.ID, sealTOTP, []byte(key.Secret))
		if err != nil {
			return nil, "", fmt.Errorf("selfservice: seal TOTP secret: %w", err)
		}
		a := &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorTOTP, Name: "Authenticator app",
			Secret: sealed, Counter: step}
		return a, "", s.store.CreateAuthenticator(ctx, a)
	case enrollPhone:
		return s.confirmContact(r, f, acct, storage.IdentifierPhone)
	case enrollEmail:
		return s.confirmContact(r, f, acct, storage.IdentifierEmail)
	case enrollPasskey:
		return s.finishPasskeyEnrollment(r, acct, e)
	}
	return nil, "code", nil
}

// errEnrollPending is not a failure: the code was sent, the page asks for
// it. errEnrollLocked: too many wrong enrollment codes lately.
var (
	errEnrollPending = errors.New("selfservice: enrollment code sent")
	errEnrollLocked  = errors.New("selfservice: enrollment locked")
)

// enrolled finishes an enrollment: the new factor counts as this
// sign-in's second factor, and an account without recovery codes gets
// ten, shown once on this response.
func (s enrollStep) enrolled(r *http.Request, f *Flow, acct *storage.Account, a *storage.Authenticator) (View, bool, error) {
	s.event(r, acct.ID, "mfa.enrolled", map[string]string{"kind": a.Kind})
	if err := s.tellFactorChange(r.Context(), f, acct, true); err != nil {
		return View{}, false, err
	}
	method := methodsOf(a.Kind)[0]
	proof := proofOf(*a)
	if a.Kind == storage.AuthenticatorPasskey {
		amr, err := s.passkeyAMR(acct.ID, a)
		if err != nil {
			return View{}, false, err
		}
		proof = amr + ":" + proof
	}
	proved(f, method, proof)
	f.State.MFA.Enroll = nil
	if f.State.Steps[f.State.Current] == stepAction {
		f.State.MFA.ActionDone = true
	}
	codes, err := s.newRecoveryCodesIfNone(r.Context(), acct.ID)
	if err != nil {
		return View{}, false, err
	}
	if len(codes) == 0 {
		return View{}, true, nil
	}
	s.event(r, acct.ID, "mfa.recovery_codes_created", nil)
	return s.showRecoveryCodes(f, codes), false, nil
}

// pendingTOTP opens the key being enrolled.
func (s enrollStep) pendingTOTP(accountID string, e *enrollState) (mfa.TOTPKey, error) {
	var key mfa.TOTPKey
	raw, err := s.sealer.Open(accountID, sealTOTPPending, e.Sealed)
	if err != nil {
		return key, fmt.Errorf("selfservice: open pending TOTP key: %w", err)
	}
	if err := json.Unmarshal(raw, &key); err != nil {
		return key, fmt.Errorf("selfservice: decode pending TOTP key: %w", err)
	}
	return key, nil
}

// groupsOf4 writes a TOTP key in blocks of four, easier to type and check.
func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
