// Package invite is customer invitations (seed 004) without routing: it
// checks and stores an invitation, sends its e-mail, resends and revokes
// it, and finds and accepts it when the invitee comes back. The admin
// console, the admin API and organization administrators in the account
// portal all send invitations through it, and the sign-up pages accept
// them through it, so the rules live in one place.
//
// An invitation link is Foyer's /oauth2/initiate for the chosen client
// with a login hint this package prepares ("invitation:" and a random
// token, stored as its SHA-256 digest). The client's brand portal passes
// the hint on to the authorization endpoint, which is how the sign-up
// pages learn of the invitation. The token is replaced at each resend, so
// only the newest e-mail works, and it is single-use: Accept completes
// the invitation in the same transaction that gives the account its
// roles and groups.
package invite
