package manage

// The admin console is an ordinary first-party application of Foyer's own
// authorization server, living in the administrators identity store.
// Bootstrap creates it (and the start-up upgrade creates it for databases
// bootstrapped earlier); the console and the admin API recognize its
// tokens by these ids.
const (
	// ConsoleApplicationID is the id of the console's application.
	ConsoleApplicationID = "admin-console"
	// ConsoleClientID is the id of the console's public OAuth client.
	ConsoleClientID = "foyer-admin"
	// ConsoleBasePath is where the console is served; it is also the
	// client's post-logout redirect path ({issuer}/admin).
	ConsoleBasePath = "/admin"
	// ConsoleCallbackPath is the client's redirect path
	// ({issuer}/admin/callback).
	ConsoleCallbackPath = "/admin/callback"
)
