// Command foyer is the Foyer server and its CLI. This package reads the
// configuration (file, then FOYER_ environment), opens and migrates storage,
// wires every handler in one place (routes.go: one gorilla/mux router, each
// domain's Mount, cross-origin protection on the subrouter where forms
// post) and runs the sub-commands. It also owns the naming of the account
// portal's per-store clients (portalstores.go): it provisions them through
// manage.StoreHooks and the start-up upgrade, and tells the portal, authz
// and selfservice which client is a store's portal.
package main
