package storagetest

import (
	"reflect"
	"testing"
	"time"

	"foyer/storage"
)

// nonDefaultPolicy differs from the defaults in every field, so a
// round trip that dropped one would show.
func nonDefaultPolicy() storage.SelfServicePolicy {
	return storage.SelfServicePolicy{
		RegistrationEnabled: false, ActivationEnabled: false,
		RecoveryMethods:          storage.RecoveryMethods{ResetByEmailLink: false, ResetByPhoneCode: true, UsernameReminder: false},
		ResetLinkLifetime:        15 * time.Minute,
		ActivationLinkLifetime:   72 * time.Hour,
		OneTimeCodeLifetime:      5 * time.Minute,
		ReRequestInterval:        45 * time.Second,
		AllowUnconfirmedContacts: true,
		PasswordPolicy:           storage.PasswordPolicy{MinLength: 12, MaxLength: 256, RejectCommonPasswords: false},
		Onboarding: storage.Onboarding{CustomerRegistration: true, NewOrganizationRoleID: "role-admin", PartnerRegistration: true,
			PartnerRoleID: "role-partner", InvitationLifetime: 3 * 24 * time.Hour, InviteeMayChangeEmail: true},
	}
}

func testSelfServicePolicy(t *testing.T, s storage.Store) {
	ctx := t.Context()
	defaults := storage.DefaultSelfServicePolicy()

	// An application written without a policy reads back the defaults.
	plain := &storage.Application{Name: "No policy", LoginSteps: []string{"identifier"}}
	must(t, "CreateApplication without policy", s.CreateApplication(ctx, plain))
	got, err := s.GetApplication(ctx, plain.ID)
	must(t, "GetApplication", err)
	if !reflect.DeepEqual(got.SelfService, defaults) {
		t.Errorf("policy of an application created without one = %+v, want the defaults %+v", got.SelfService, defaults)
	}

	// Every field survives Set and Get, and nothing else changes.
	custom := nonDefaultPolicy()
	must(t, "SetSelfServicePolicy", s.SetSelfServicePolicy(ctx, plain.ID, custom))
	got, err = s.GetApplication(ctx, plain.ID)
	must(t, "GetApplication after set", err)
	if !reflect.DeepEqual(got.SelfService, custom) {
		t.Errorf("policy after set = %+v, want %+v", got.SelfService, custom)
	}
	if got.Name != "No policy" || !equalStrings(got.LoginSteps, []string{"identifier"}) {
		t.Errorf("SetSelfServicePolicy changed other fields: %+v", got)
	}
	list, err := s.ListApplications(ctx)
	must(t, "ListApplications", err)
	if len(list) != 1 || !reflect.DeepEqual(list[0].SelfService, custom) {
		t.Errorf("ListApplications = %+v, want the custom policy", list)
	}

	// A policy given at creation is stored as given.
	withPolicy := &storage.Application{Name: "With policy", SelfService: custom}
	must(t, "CreateApplication with policy", s.CreateApplication(ctx, withPolicy))
	got, err = s.GetApplication(ctx, withPolicy.ID)
	must(t, "GetApplication with policy", err)
	if !reflect.DeepEqual(got.SelfService, custom) {
		t.Errorf("policy given at creation = %+v, want %+v", got.SelfService, custom)
	}

	// Setting the zero policy returns the application to the defaults.
	must(t, "SetSelfServicePolicy zero", s.SetSelfServicePolicy(ctx, withPolicy.ID, storage.SelfServicePolicy{}))
	got, err = s.GetApplication(ctx, withPolicy.ID)
	must(t, "GetApplication after reset", err)
	if !reflect.DeepEqual(got.SelfService, defaults) {
		t.Errorf("policy after setting the zero value = %+v, want the defaults", got.SelfService)
	}

	wantErr(t, "SetSelfServicePolicy missing", s.SetSelfServicePolicy(ctx, "missing", custom), storage.ErrNotFound)
}
