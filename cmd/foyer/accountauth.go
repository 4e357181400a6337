package main

import (
	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/selfservice/regulate"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// newAccountAuthServices builds the customer notices and the account
// authenticator services the admin API and the console share.
func newAccountAuthServices(core *manage.Core, store storage.Store, notifications *notify.Service, renderer *themes.Renderer,
	sessions *session.Manager, issuer string) (*manage.CustomerNotices, *manage.AccountAuthenticators) {
	notices := manage.NewCustomerNotices(core, store, notifications, renderer)
	auth := manage.NewAccountAuthenticators(core, manage.AuthenticatorDeps{Store: store, Notices: notices, Sender: notifications,
		Texts: renderer, Sessions: sessions, Hasher: password.NewHasher(password.OWASP), Rules: password.NewRules(), Issuer: issuer,
		Lockouts: lockoutCounters})
	return notices, auth
}

// lockoutCounters are the attempt counters that can lock an account out,
// keyed as selfservice keys them: the password tries per identifier the
// account can be typed as (regulate.SignIn), the second-factor tries per
// method by account and, for passwordless sign-in, by identifier
// (regulate.SecondFactor), the portal's password tries and the reset-code
// tries.
func lockoutCounters(acct *storage.Account) []manage.LockoutCounter {
	counter := func(r regulate.Rule, k regulate.Key) manage.LockoutCounter {
		return manage.LockoutCounter{Key: k.String(), Window: r.Window(), Max: r.Tiers[0].Max}
	}
	methods := append([]string{"enroll", "recovery", "passwordless"}, storage.AllMFAMethods...)
	subjects := []string{acct.ID}
	var out []manage.LockoutCounter
	for _, ident := range []string{acct.Email, acct.Username, acct.Phone} {
		if ident == "" {
			continue
		}
		k := regulate.SignIn.Key(acct.StoreID, ident)
		out = append(out, counter(regulate.SignIn, k))
		subjects = append(subjects, "identifier:"+k.String())
	}
	for _, sub := range subjects {
		for _, m := range methods {
			out = append(out, counter(regulate.SecondFactor, regulate.SecondFactor.Key(sub, m)))
		}
	}
	return append(out, counter(regulate.PortalPassword, regulate.PortalPassword.Key(acct.ID)),
		counter(regulate.AccountResetCodes, regulate.AccountResetCodes.Key(acct.ID)))
}
