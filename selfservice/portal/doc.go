// Package portal is the customer account portal under /account: it signs
// customers in through Foyer's own authorization endpoint as the
// first-party client foyer-account (so every sign-in policy applies), and
// serves the pages where they manage their applications, personal
// information, account, security and privacy. Every page and action works
// on the signed-in account only: ids in forms are checked against it.
//
// Each identity store has its own portal client (Config.ClientID for the
// default store, Config.StoreClient for the others), because authz signs a
// client's users in only from its application's store. stores.go picks
// the store of a sign-in: ?store=ID, else the store of the browser's SSO
// session, else the default; the flow cookie keeps the client, and the
// callback exchanges the code as it and requires it as the ID token's
// audience. A store without a portal client (administrators, unknown) is
// a 404 page.
//
// Its links and redirects, to its own pages and to authz's endpoints, are
// built from the router's named routes (selfservice/route), never written
// as paths. Each page's template data is a struct (pagedata.go) around
// the frame every page shares, which renderPage fills; New trial-renders
// every template with samples of them (one per branch), so a theme whose
// template reads a field the struct lacks fails start-up.
//
// Its endpoints return the failures they cannot answer; serve (pages.go)
// is the one rendering path for them: it logs the error with the request's
// context and shows the themed message page without internals. authed
// runs the signed-in pages through it. Deliberate answers (field errors,
// not-found messages, redirects) are written by the endpoints themselves.
//
// The personal information page (profile.go) follows the identity
// store's attribute schema through selfservice/attrform, as registration
// does: visible attributes are shown, only editable ones are read from a
// post and checked by storage.CheckAttributes.
//
// Organization administration (organization*.go) is for accounts holding
// a role with OrganizationAdmin in an organization: its people and their
// roles (only Assignable ones change), removal, invitations through
// selfservice/invite (Deps.Invitations) and the name. Every request
// names the organization in its path and inOrg checks the account
// administers it; anything else, and any person or invitation outside
// it, is the not-found page. The "no organization without an
// administrator" rule is storage's, checked in the change's transaction.
//
// The portal imports storage, selfservice/session, selfservice/notify,
// selfservice/password, selfservice/route, selfservice/attrform,
// selfservice/invite and themes, never the parent selfservice package.
package portal
