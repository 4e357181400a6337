package storage_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

func TestDefaultSelfServicePolicyIsValid(t *testing.T) {
	d := storage.DefaultSelfServicePolicy()
	if err := d.Validate(&storage.IdentityStore{ID: "s", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if !d.RegistrationEnabled || !d.ActivationEnabled || !d.RecoveryMethods.ResetByEmailLink || !d.RecoveryMethods.ResetByPhoneCode ||
		!d.RecoveryMethods.UsernameReminder || d.ResetLinkLifetime != time.Hour || d.ReRequestInterval != 20*time.Second ||
		d.AllowUnconfirmedContacts || d.PasswordPolicy.MinLength != 8 || !d.PasswordPolicy.RejectCommonPasswords {
		t.Errorf("defaults = %+v", d)
	}
}

func TestSelfServicePolicyValidate(t *testing.T) {
	emailStore := &storage.IdentityStore{ID: "mail", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername}}
	usernameStore := &storage.IdentityStore{ID: "names", IdentifierTypes: []storage.IdentifierType{storage.IdentifierUsername}}
	tests := []struct {
		name  string
		edit  func(*storage.SelfServicePolicy)
		store *storage.IdentityStore
		want  string // "" for valid
	}{
		{"defaults", func(*storage.SelfServicePolicy) {}, emailStore, ""},
		{"no store checks without a store", func(*storage.SelfServicePolicy) {}, nil, ""},
		{"longest lifetimes", func(p *storage.SelfServicePolicy) {
			p.ResetLinkLifetime, p.ActivationLinkLifetime, p.OneTimeCodeLifetime, p.ReRequestInterval = 24*time.Hour, 7*24*time.Hour, time.Hour, time.Hour
		}, emailStore, ""},
		{"shortest lifetimes", func(p *storage.SelfServicePolicy) {
			p.ResetLinkLifetime, p.ActivationLinkLifetime, p.OneTimeCodeLifetime, p.ReRequestInterval = time.Minute, time.Minute, time.Minute, time.Second
		}, emailStore, ""},
		{"reset link too long", func(p *storage.SelfServicePolicy) { p.ResetLinkLifetime = 25 * time.Hour }, emailStore, "reset link lifetime must be between 1m0s and 24h0m0s"},
		{"reset link zero", func(p *storage.SelfServicePolicy) { p.ResetLinkLifetime = 0 }, emailStore, "reset link lifetime"},
		{"activation link negative", func(p *storage.SelfServicePolicy) { p.ActivationLinkLifetime = -time.Hour }, emailStore, "activation link lifetime"},
		{"activation link too long", func(p *storage.SelfServicePolicy) { p.ActivationLinkLifetime = 8 * 24 * time.Hour }, emailStore, "activation link lifetime"},
		{"code too long", func(p *storage.SelfServicePolicy) { p.OneTimeCodeLifetime = 61 * time.Minute }, emailStore, "one-time code lifetime"},
		{"code too short", func(p *storage.SelfServicePolicy) { p.OneTimeCodeLifetime = 30 * time.Second }, emailStore, "one-time code lifetime"},
		{"re-request too short", func(p *storage.SelfServicePolicy) { p.ReRequestInterval = 500 * time.Millisecond }, emailStore, "re-request interval"},
		{"re-request too long", func(p *storage.SelfServicePolicy) { p.ReRequestInterval = 2 * time.Hour }, emailStore, "re-request interval"},
		{"fractional seconds", func(p *storage.SelfServicePolicy) { p.ResetLinkLifetime = 90*time.Second + time.Millisecond }, emailStore, "whole number of seconds"},
		{"password min too small", func(p *storage.SelfServicePolicy) { p.PasswordPolicy.MinLength = 7 }, emailStore, "minimum length must be at least 8"},
		{"password max below min", func(p *storage.SelfServicePolicy) { p.PasswordPolicy.MinLength, p.PasswordPolicy.MaxLength = 20, 19 }, emailStore, "maximum length"},
		{"password max too large", func(p *storage.SelfServicePolicy) { p.PasswordPolicy.MaxLength = 1025 }, emailStore, "maximum length"},
		{"password max at limit", func(p *storage.SelfServicePolicy) { p.PasswordPolicy.MaxLength = 1024 }, emailStore, ""},
		{"activation in a username-only store", func(*storage.SelfServicePolicy) {}, usernameStore, `identity store "names" has no email identifier`},
		{"no activation in a username-only store", func(p *storage.SelfServicePolicy) { p.ActivationEnabled = false }, usernameStore, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := storage.DefaultSelfServicePolicy()
			tc.edit(&p)
			err := p.Validate(tc.store)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.want != "" && (!errors.Is(err, storage.ErrInvalidPolicy) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want ErrInvalidPolicy containing %q", err, tc.want)
			}
		})
	}
}

func TestSelfServicePolicyValidateReportsEveryProblem(t *testing.T) {
	err := storage.SelfServicePolicy{ActivationEnabled: true}.Validate(&storage.IdentityStore{ID: "x", IdentifierTypes: []storage.IdentifierType{storage.IdentifierUsername}})
	for _, want := range []string{"reset link", "activation link", "one-time code", "re-request", "minimum length", "no email identifier"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, lacks %q", err, want)
		}
	}
}

func TestSelfServicePolicyEffective(t *testing.T) {
	d := storage.DefaultSelfServicePolicy()
	if got := d.Effective(&storage.IdentityStore{IdentifierTypes: []storage.IdentifierType{storage.IdentifierUsername}}); got.ActivationEnabled {
		t.Error("activation offered for a username-only identity store")
	}
	if got := d.Effective(&storage.IdentityStore{IdentifierTypes: []storage.IdentifierType{storage.IdentifierUsername, storage.IdentifierEmail}}); !reflect.DeepEqual(got, d) {
		t.Errorf("Effective changed a policy that fits the store: %+v", got)
	}
	if got := (storage.SelfServicePolicy{}).Effective(nil); !reflect.DeepEqual(got, d) {
		t.Errorf("Effective of the zero policy = %+v, want the defaults", got)
	}
	// a store naming no identifier types is an e-mail store, as sign-in
	// treats it: activation stays on
	if got := d.Effective(&storage.IdentityStore{}); !got.ActivationEnabled {
		t.Error("activation turned off for a store that names no identifier types")
	}
}

func TestSelfServicePolicyWithDefaults(t *testing.T) {
	p := storage.SelfServicePolicy{RegistrationEnabled: false, AllowUnconfirmedContacts: true, ResetLinkLifetime: 5 * time.Minute}
	got := p.WithDefaults()
	d := storage.DefaultSelfServicePolicy()
	if got.RegistrationEnabled || !got.AllowUnconfirmedContacts || got.ResetLinkLifetime != 5*time.Minute ||
		got.ActivationLinkLifetime != d.ActivationLinkLifetime || got.OneTimeCodeLifetime != d.OneTimeCodeLifetime ||
		got.ReRequestInterval != d.ReRequestInterval || got.Onboarding.InvitationLifetime != 7*24*time.Hour || got.PasswordPolicy.MinLength != 8 || got.PasswordPolicy.MaxLength != 128 {
		t.Errorf("WithDefaults = %+v", got)
	}
}

func TestSelfServicePolicyJSON(t *testing.T) {
	p := storage.DefaultSelfServicePolicy()
	p.RegistrationEnabled, p.RecoveryMethods.UsernameReminder, p.OneTimeCodeLifetime = false, false, 3*time.Minute
	p.Onboarding = storage.Onboarding{CustomerRegistration: true, NewOrganizationRoleID: "r-admin", PartnerRegistration: true,
		PartnerRoleID: "r-partner", InvitationLifetime: 48 * time.Hour, InviteeMayChangeEmail: true}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"invitation_lifetime_seconds":172800`) || !strings.Contains(string(b), `"new_organization_role_id":"r-admin"`) ||
		!strings.Contains(string(b), `"one_time_code_lifetime_seconds":180`) || !strings.Contains(string(b), `"registration_enabled":false`) {
		t.Errorf("JSON = %s", b)
	}
	var back storage.SelfServicePolicy
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("round trip = %+v, %v; want %+v", back, err, p)
	}
	var partial storage.SelfServicePolicy
	if err := json.Unmarshal([]byte(`{"activation_enabled":false,"recovery_methods":{"reset_by_phone_code":false}}`), &partial); err != nil {
		t.Fatal(err)
	}
	want := storage.DefaultSelfServicePolicy()
	want.ActivationEnabled, want.RecoveryMethods.ResetByPhoneCode = false, false
	if !reflect.DeepEqual(partial, want) {
		t.Errorf("partial JSON = %+v, want %+v", partial, want)
	}
	if err := json.Unmarshal([]byte(`{"registration_enabled":"yes"}`), &partial); err == nil {
		t.Error("a malformed policy decoded")
	}
}

func TestValidateConsentPolicy(t *testing.T) {
	if err := storage.ValidateConsentPolicy(storage.DefaultConsentPolicy()); err != nil {
		t.Fatalf("the default policy: %v", err)
	}
	for _, bad := range [][]storage.ConsentDocument{
		{{Name: "Terms", Version: "1"}},
		{{Name: "terms", Version: ""}},
		{{Name: "terms", Version: "1 a"}},
		{{Name: "terms", Version: "1"}, {Name: "terms", Version: "2"}},
		{{Name: "terms", Version: "1", URL: "javascript:alert(1)"}},
		{{Name: "terms", Version: "1", URL: "/relative"}},
		{{Name: "terms", Version: "1\r"}},
		{{Name: "terms", Version: "1", Title: "Terms\nof service"}},
	} {
		if err := storage.ValidateConsentPolicy(bad); !errors.Is(err, storage.ErrInvalidConsentPolicy) {
			t.Errorf("%+v: %v, want storage.ErrInvalidConsentPolicy", bad, err)
		}
	}
}

func TestExternalSignInPolicy(t *testing.T) {
	p := storage.DefaultSelfServicePolicy()
	p.External = storage.ExternalSignIn{Providers: []string{"a", "b"}, TrustMFA: []string{"b"}, Invitations: true}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back storage.SelfServicePolicy
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("round trip = %+v, %v; want %+v", back, err, p)
	}
	if err := p.Validate(nil); err != nil {
		t.Errorf("Validate = %v", err)
	}
	var plain storage.SelfServicePolicy
	if err := json.Unmarshal([]byte(`{}`), &plain); err != nil || plain.External.Providers != nil || plain.IsZero() {
		t.Errorf("{} = %+v, %v", plain.External, err)
	}
	p.External = storage.ExternalSignIn{Providers: nil, TrustMFA: []string{"c"}, Invitations: true}
	err = p.Validate(nil)
	if err == nil || !strings.Contains(err.Error(), `"c" is trusted for MFA but not offered`) || !strings.Contains(err.Error(), "invitations need") {
		t.Errorf("Validate = %v", err)
	}
}
