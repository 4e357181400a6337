// Package manage is the operator side's one service layer: every change an
// administrator (or a client holding an admin role, or the CLI) makes to
// identity stores, applications, clients, policies, groups, roles,
// organizations and administrators goes through it. The admin console,
// the admin REST API and the CLI only parse input and render results.
//
// Each operation takes the Actor who asks, checks its role and store
// scope (Actor.Can), validates the input as a whole (a *ValidationError
// naming each bad field), makes the change and its audit entry in one
// transaction, and returns sentinel errors the callers map: ErrForbidden,
// ErrNotFound, ErrConflict, ErrStale. A conflict the caller should read
// about is a Conflict("sentence") (*ConflictError); the API shows only
// those sentences, never the text of storage's own conflicts.
//
// Administrators (administrators.go) are accounts of the administrators
// store with storage.AdminGrant rows; the service refuses any change that
// would leave no enabled owner over every store, and an administrator
// disabling or removing themself. An administrator's version, and a
// client's roles' version, is a hash of what their changes replace,
// compared under LockAdminGrants (grantsversion.go says why that is
// race-free); version 0, the CLI's, is not checked. The audit log (audit.go) is read,
// exported as JSON lines and verified here: VerifyAudit walks the hash
// chain (storage.AuditEntry.ComputeHash, an HMAC under the key the store
// hashes with) and names the first entry that was edited, removed or
// moved. The console's application and client ids are
// in console_ids.go; cmd/foyer's bootstrap creates them.
//
// Brandings (branding.go, brandimage.go) edits the branding of an
// application or organization: colours and extra CSS, checked and turned
// into a stylesheet by themes.BrandStylesheet and stored as a brand asset
// on save, links, and logo and favicon uploads judged by their bytes.
//
// Clients (clients.go) manages OAuth clients over a ClientRegistry, the
// OAuth server's validation and secret generation that cmd/foyer wires
// in (so that this package does not import authz). A client belongs to
// its application's identity store; a secret rotation may keep the
// previous secret working for an overlap of up to MaxSecretOverlap. The
// administrators store's clients are owners' only; the console's client
// cannot be changed through the service; a client holding admin grants
// is changed, rotated or deleted only by an unlimited owner
// (client_guard.go).
//
// Applications belong to their identity store; named policies
// (policies.go) belong to none: any role reads them, changing one needs
// WriteConfig without a store limit. Setting a policy through an
// application (Applications.SetOwnPolicy, the CLI's "app ... set") is copy
// on write, so it never changes another application's policy.
//
// Stores (stores.go) take StoreHooks (storehooks.go), through which
// cmd/foyer gives each new store its account portal application and
// client and removes them before the store is deleted, in the same
// transaction and audited as the same actor, without this package knowing
// the portal. Deleting a store also takes its id out of every admin grant
// (a grant limited to it alone goes).
//
// Customer accounts (accounts.go and the account_*.go files): every
// operation on one starts with LoadAccount, which checks the actor's
// permission on the account's store and keeps the administrators store
// out of reach (its accounts are Administrators'); Labels are the status
// labels the console and the API show on every account. The account list
// (account_search.go, account_query.go) is not read whole: AccountSearch
// turns an AccountQuery (the API's query parameters, the console's
// search form, a bulk job's "whole search result") into one keyset page
// of storage.SearchAccounts, with opaque cursors bound to their search
// (Page.Next and Page.Prev); each administrator's pinned search fields
// are kept with their account.
// Onboarding (seed 003): PartnerCodes (partner_codes.go) makes a partner
// organization's code, returns it once and stores its digest (never in an
// audit entry); PartnerLookups (partner_lookup.go) keeps an application's
// partner lookup webhook, whose secret it makes, returns once and seals
// through a SecretSealer cmd/foyer gives. Organizations carry company
// information checked against the store's organization schema; the
// self-service policy's onboarding roles are checked against the store of
// every application using the policy (policyinput.go).
//
// AccountRoles (account_roles.go) keeps an account's (organization, role)
// pairs and, apart from them, its organization memberships: a role needs
// no membership (seed 002), and ending a membership keeps the roles.
//
// Invitations (invitations.go, invitations_view.go) are customer
// invitations on the operator side over selfservice/invite, which holds
// their rules (shared with the portal's organization administrators):
// reading needs ReadAccounts, sending, resending and revoking
// WriteAccounts on the store. The invite service, which would begin a
// transaction of its own, joins Core.Apply's instead (invitations_tx.go),
// so an invitation, its queued e-mail and its audit entry commit together.
// Status Expired is computed at the core's clock.
//
// AccountActions (account_actions.go) are what an administrator does to
// one account: the quick actions (delete, enable, disable, add_to_group,
// remove_from_group) are AccountAction values that run inside a caller's
// transaction and return the audit Change, so a bulk job runs them per
// account with Core.Record and the single-account methods wrap them in
// Core.Apply. Disabling and deleting end the sessions through
// session.Manager.EndAccountInTx (back-channel notices in the same
// transaction). AccountProfiles (account_profile.go) read the profile,
// edit attributes guarded by the account's version (account_attributes.go,
// validated as self-service validates) and build the export
// (account_export.go): the portal's document plus the admin side.
//
// Customer notices (customer_notices.go): after a support change the
// customer may be told through a client that fits the account — for a
// member of an organization the clients of the store's organizational
// applications, else those of its non-organizational ones, never the
// console's. CustomerNotices.Queue renders the support_* message in the
// account's language with the client's application's branding and queues
// it (e-mail, or SMS for a phone-only account) in the caller's
// transaction, returning the account.notified change; RecordNotice does
// both for an optional NotifyChoice, so a change and its notice commit
// together. The Authenticators tab's service (account_authenticators.go,
// account_passwords.go, account_contacts.go) builds on it; admin may not
// import selfservice, so the reset secret is made as selfservice makes
// it, contact codes are hashed and counted here, and cmd/foyer names the
// lockout counters with selfservice/regulate's keys.
//
// AccountActivity (account_activity.go, account_sessions.go,
// account_consents.go) reads an account's history for support: its event
// log keyset-paged on (time, append order), the audit entries about it
// (readable with ReadAccounts, without the administrators' addresses), its
// SSO sessions described as the portal describes them, and its consent
// log. Ending sessions goes through a SessionEnder (the session manager)
// inside Core.Apply, so the deletion, the back-channel logout notices and
// the audit entry commit together.
//
// The configuration lists (stores, groups, roles, organizations,
// applications, policies) are small, so their ListBy methods (listby.go)
// read the whole list the actor may see and filter, sort and page it in
// memory (listing.go: ListOptions, Page): a case-insensitive substring of
// the name or id, by name or creation time either way with the id as
// tie-break, and a cursor that carries its sort and filter, so a next
// page continues in the same order and a cursor of another is refused.
//
// Identity verification (verification_policies.go, verifications.go):
// a store's VerificationPolicies are named sets of methods, changed with
// WriteConfig; AccountVerifications records a manual verification of an
// account under one policy and one of its methods (WriteAccounts, so
// support may), with the acting administrator's id and name and a note,
// and revokes one (the record stays, marked revoked). The newest
// unrevoked record is the account's current verification, which authz
// releases as verified_claims.
//
// Quick actions on many accounts run as durable jobs (account_jobs.go:
// AccountJobs starts, shows and cancels them; account_jobs_run.go: the
// AccountJobRunner every node runs). A job walks its selection (explicit
// ids, or a search result through an AccountSelector) in account-id
// order, each account in one transaction with the action, its audit
// entry (Core.Record, as the administrator who started the job, whose
// roles are read again whenever a node picks the job up) and the job's
// cursor. A node holds a job under a lease; whoever takes it over resumes
// after the cursor, and a stale node's progress is refused, so no account
// is acted on twice or left half done.
package manage
