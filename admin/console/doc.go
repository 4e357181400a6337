// Package console is the admin console under /admin: server-rendered
// pages through the themes engine over the one service layer,
// admin/manage.
//
// Administrators sign in like customers sign in to the account portal:
// the console is the first-party public client foyer-admin of Foyer's own
// authorization endpoint (PKCE, state and nonce; the console's
// application requires MFA). The callback exchanges the code in process,
// checks the ID token and seals the administrator's account and SSO
// session id into the console's own cookie, which holds only while that
// SSO session lives. Every page request builds a manage.Actor with
// Core.Administrator, so a customer, a disabled administrator or one
// without a grant gets a 403 page; every page and form checks the
// actor's role and store scope again through manage.
//
// Pages (one file each, each with a typed page-data struct that embeds
// the frame: the menu, the store switcher, the administrator and the
// form token): the dashboard, the identity stores with their attribute
// schema editor, groups (rename, delete), role definitions and
// organizations (the last two in the menu while a store is open), the
// applications (each with its settings, its policy of each kind and its
// deletion), the named policies (by kind, each with the form of its kind:
// fields for self-service, MFA and portal policies, a JSON list of
// documents for consent policies; set Default; deletion), the clients of
// each application (registration showing the secret once on its result
// page and nowhere else, edit, secret rotation with an overlap,
// deletion), a store's customer invitations (invitations.go: the list,
// the Invite customer form whose Update button posts it back with the
// clients the chosen organization allows, invitation.go: the detail with
// Resend and Revoke), the administrators and the audit log. The configuration
// lists (stores, groups, roles, organizations, applications, policies)
// have a GET filter form and sort and next-page links (listnav.go) over
// the services' ListBy, which filter, order and page the whole list.
// Forms show the field errors of a *manage.ValidationError beside
// their fields and keep what was typed (forms.go maps the services'
// errors); conflicts and stale versions are the page's error.
//
// Applications and organizations link their Branding page (branding.go,
// branding_preview.go): a multipart form of colours, extra CSS, links and
// logo and favicon uploads, and a Preview button that renders the real
// sign-in page or an e-mail with the unsaved values in a new tab (the
// e-mail under a sandboxing CSP of its own).
//
// A partner organization's page has a partner code section
// (partner_code.go) and an application links its partner lookup webhook
// page (partner_lookup.go): a code or secret just made is shown on the
// page answering the post, never in a URL. The store page edits the
// account schema and the organization schema with one attribute editor
// (schemaside.go); the self-service policy's onboarding part is
// policy_onboarding.go.
//
// Forms post only to the console itself: cross-origin posts are refused
// (net/http.CrossOriginProtection on the console's routes), cookies are
// SameSite=Lax and every form carries a token bound to the console
// session. Irreversible actions go through a confirmation page that works
// without JavaScript; the one small script (admin.js) only adds confirm
// dialogs, the store switcher's auto-submit and the administrators
// list's live filter. Every item page deletes or removes through one flow
// (confirm.go: Handler.confirm asks, Handler.deleteConfirmed acts only
// with confirm=yes and the version shown, a refusal shows on the item's
// page).
package console
